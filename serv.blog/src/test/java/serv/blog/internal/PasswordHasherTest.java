package serv.blog.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    @Test
    void hashesAreSaltedAndVerifiable() {
        String a = PasswordHasher.hash("correct horse");
        assertTrue(a.startsWith("pbkdf2-sha256$210000$"), a);
        assertNotEquals(a, PasswordHasher.hash("correct horse"));
        assertTrue(PasswordHasher.verify("correct horse", a));
        assertFalse(PasswordHasher.verify("wrong horse", a));
        assertFalse(a.contains("correct"));
    }

    @Test
    void previewsCountCodePoints() {
        String emoji = "\uD83D\uDE00".repeat(201);
        String preview = PostList.preview(emoji);
        assertTrue(preview.endsWith("..."));
        assertTrue(preview.codePointCount(0, preview.length()) == 203);
        assertTrue(PostList.preview("short").equals("short"));
    }
}
