package serv.blog.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;

import serv.database.MigrationTarget;

/**
 * The blog's tables follow its {@code database} setting: the migrations of {@code serv/migrations/default/} go to
 * that database (Serv sets {@value MigrationTarget#DATABASE} from the setting; the bundle's
 * {@code Serv-Migration-Targets} header makes them wait for this target).
 */
@Component(service = MigrationTarget.class, configurationPid = Blog.PID,
        property = { MigrationTarget.FOLDER + "=default", MigrationTarget.DATABASE + "=default" })
public final class BlogMigrations implements MigrationTarget {

    /** A change of the settings keeps the target: only a new {@code database} moves the migrations. */
    @Modified
    void modified() {
        // the new service properties are all there is to it
    }
}
