package serv.core;

import org.osgi.annotation.versioning.ConsumerType;

/** Answers the requests of a {@link Route}. Implementations are components, called concurrently. */
@ConsumerType
@FunctionalInterface
public interface Handler {

    /**
     * Answers one request. Throw an {@link HttpException} for an error answer; any other exception is a 500 whose
     * body carries only an error id that matches the log line.
     */
    void handle(Request request, Response response) throws Exception;
}
