package serv.jpa.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.persistence.EntityManager;
import javax.persistence.EntityTransaction;

import serv.core.Request;
import serv.core.RequestResource;
import serv.database.Database;

/**
 * The EntityManagers one request opened, one per unit, in the order they were opened: a resource of the request,
 * ended with it. Their transactions commit (flushing JPA's pending writes on the request's connection) before the
 * request's connection commits, so a constraint failing at the flush rolls everything back and becomes the answer.
 */
final class RequestUnits implements RequestResource {

    private final PersistenceUnits units;
    private final Request request;
    private final Map<String, EntityManager> open = new LinkedHashMap<>(2);

    RequestUnits(PersistenceUnits units, Request request) {
        this.units = units;
        this.request = request;
    }

    EntityManager get(String unit, Database database) {
        EntityManager em = open.get(unit);
        if (em == null) {
            em = units.open(unit, database, request::connection);
            open.put(unit, em);
            if (request.transactional()) {
                em.getTransaction().begin();
            }
        }
        return em;
    }

    /** Commits (flushes) or rolls back each EntityManager's transaction, then closes it; throws when one failed. */
    @Override
    public void end(boolean commit) {
        RuntimeException failure = null;
        try {
            for (EntityManager em : open.values()) {
                try {
                    if (em.isOpen()) {
                        EntityTransaction tx = em.getTransaction();
                        if (tx.isActive()) {
                            if (commit && failure == null && !tx.getRollbackOnly()) {
                                tx.commit();
                            } else {
                                tx.rollback();
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                } finally {
                    if (em.isOpen()) {
                        em.close();
                    }
                }
            }
        } finally {
            open.clear();
            units.release(); // the thread serves another request next
        }
        if (failure != null) {
            throw failure;
        }
    }
}
