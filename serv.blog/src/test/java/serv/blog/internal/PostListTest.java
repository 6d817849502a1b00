package serv.blog.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PostListTest {

    @Test
    void previewsCountCodePoints() {
        String emoji = "\uD83D\uDE00".repeat(201);
        String preview = PostList.preview(emoji);
        assertTrue(preview.endsWith("..."));
        assertTrue(preview.codePointCount(0, preview.length()) == 203);
        assertTrue(PostList.preview("short").equals("short"));
    }
}
