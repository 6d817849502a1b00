package serv.core;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The answer being built. Nothing is sent before the handler returns, so a transaction can still roll back and
 * turn the answer into an error.
 */
@ProviderType
public interface Response {

    /** Sets the status (200 by default). */
    Response status(int status);

    /** Sets a header. */
    Response header(String name, String value);

    /** Answers with {@code value} serialized as JSON (UTF-8). */
    void json(Object value);

    /** Answers with raw bytes of the given content type. */
    void body(byte[] bytes, String contentType);

    /** The status set so far. */
    int status();
}
