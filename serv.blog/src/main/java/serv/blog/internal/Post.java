package serv.blog.internal;

/**
 * A post as the blog answers it. In a page of posts {@code content} is the preview and {@code updatedAt} is null;
 * a freshly created post has no {@code author} name and no {@code updatedAt}.
 *
 * @param id the post's id
 * @param title the title
 * @param content the content, or its preview in a page
 * @param authorId the id of the author (a user)
 * @param author the author's username
 * @param createdAt ISO-8601 local date-time
 * @param updatedAt ISO-8601 local date-time
 */
public record Post(int id, String title, String content, int authorId, String author, String createdAt,
        String updatedAt) {
}
