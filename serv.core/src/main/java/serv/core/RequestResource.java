package serv.core;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Something a request holds until it ends and that takes part in its transaction, obtained through
 * {@link Request#resource}: a JPA EntityManager working on the request's connection, a cache of the request's
 * reads, a unit of work of another persistence library.
 */
@ConsumerType
@FunctionalInterface
public interface RequestResource {

    /**
     * The request ends: with {@code commit} true its work is to be kept (flush what is pending on the request's
     * connection), with false it is to be dropped; in both cases release what the resource holds. Called once per
     * request, before the request's connection commits or rolls back. Throwing rolls the whole request back and
     * turns its answer into an error (the same one as if the handler had thrown it).
     */
    void end(boolean commit) throws Exception;
}
