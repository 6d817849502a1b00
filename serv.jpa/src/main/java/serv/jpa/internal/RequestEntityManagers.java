package serv.jpa.internal;

import javax.persistence.EntityManager;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import serv.core.Request;
import serv.database.Database;
import serv.jpa.EntityManagers;

/** The {@link EntityManagers} service: a request's EntityManagers are a {@link RequestUnits} resource of it. */
@Component(service = EntityManagers.class)
public final class RequestEntityManagers implements EntityManagers {

    private final PersistenceUnits units;

    @Activate
    public RequestEntityManagers(@Reference PersistenceUnits units) {
        this.units = units;
    }

    @Override
    public EntityManager of(Request request, String unit) {
        Database database = request.database().orElseThrow(
                () -> new IllegalStateException("this route declares no database (set database in its @Route)"));
        return request.resource(RequestUnits.class, () -> new RequestUnits(units, request)).get(unit, database);
    }
}
