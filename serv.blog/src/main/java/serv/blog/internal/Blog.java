package serv.blog.internal;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.blog.internal.jdbc.JdbcStore;
import serv.blog.internal.jpa.JpaStore;
import serv.core.Handler;
import serv.core.Request;
import serv.core.Route;
import serv.database.MigrationTarget;
import serv.jpa.EntityManagers;

/**
 * The blog: registers its routes on Serv's route whiteboard, on the configured database, served by the configured
 * repository implementation. A configuration change applies at once: the routes move to another database by a
 * change of their service properties, and the next request uses the other repository (the routes' service
 * property {@value #REPOSITORY} says which one serves).
 */
@Component(configurationPid = "serv.blog")
@Designate(ocd = BlogConfiguration.class)
public final class Blog {

    private static final Logger LOG = LoggerFactory.getLogger(Blog.class);
    /** Service property of the blog's routes: the repository implementation serving them now. */
    public static final String REPOSITORY = "serv.blog.repository";

    /** JPA's EntityManagers of requests, for the jpa repositories. */
    @Reference
    private EntityManagers entityManagers;
    private Map<String, Store> stores;

    private final List<ServiceRegistration<Handler>> routes = new ArrayList<>();
    private ServiceRegistration<MigrationTarget> migrations;
    private volatile Store store;
    private String database;

    /** The service of one request, on the current repository implementation. */
    PostService posts(Request request) {
        Store s = store;
        return new PostService(s.posts(request), s.users(request));
    }

    UserRepository users(Request request) {
        return store.users(request);
    }

    @Activate
    void activate(BundleContext context, BlogConfiguration config) {
        stores = Map.of("jdbc", new JdbcStore(), "jpa", new JpaStore(entityManagers));
        apply(config);
        // The tables follow the database: the migrations of folder serv/migrations/default go to it.
        migrations = context.registerService(MigrationTarget.class, new MigrationTarget() {
        }, migrationProps());
        register(context, new PostList(this), "/posts", "GET");
        register(context, new CreatePost(this), "/posts", "POST");
        register(context, new PostDetail(this), "/posts/{id}", "GET");
        register(context, new UpdatePost(this), "/posts/{id}", "PUT", "DELETE");
        register(context, new CreateUser(this), "/users", "POST");
        register(context, UserRoutes.list(this), "/users", "GET");
        register(context, UserRoutes.one(this), "/users/{id}", "GET", "PUT", "DELETE");
    }

    @Modified
    void modified(BlogConfiguration config) {
        String before = database;
        Store storeBefore = store;
        apply(config);
        if (!database.equals(before)) {
            migrations.setProperties(migrationProps());
        }
        if (!database.equals(before) || store != storeBefore) {
            for (ServiceRegistration<Handler> r : routes) {
                Dictionary<String, Object> props = new Hashtable<>();
                for (String key : r.getReference().getPropertyKeys()) {
                    props.put(key, r.getReference().getProperty(key));
                }
                props.put(Route.DATABASE, database);
                props.put(REPOSITORY, store.id());
                r.setProperties(props);
            }
        }
    }

    @Deactivate
    void deactivate() {
        List<ServiceRegistration<?>> all = new ArrayList<>(routes);
        all.add(migrations);
        for (ServiceRegistration<?> r : all) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework has taken the registration away
            }
        }
        routes.clear();
    }

    private Dictionary<String, Object> migrationProps() {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(MigrationTarget.FOLDER, "default");
        props.put(MigrationTarget.DATABASE, database);
        return props;
    }

    /** Checks and takes a configuration; a wrong value names the key and the fix. */
    private void apply(BlogConfiguration config) {
        Store next = stores.get(config.repository().trim().toLowerCase(java.util.Locale.ROOT));
        if (next == null) {
            throw new IllegalArgumentException("serv.blog: repository must be jdbc or jpa, not '"
                    + config.repository() + "'; fix the setting 'repository' of the blog");
        }
        String db = config.database().trim();
        if (db.isEmpty()) {
            throw new IllegalArgumentException("serv.blog: database must name a Serv database; "
                    + "fix the setting 'database' of the blog (default: default)");
        }
        store = next;
        database = db;
        LOG.info("Blog: database {}, {} repositories", db, next.id());
    }

    private void register(BundleContext context, Handler handler, String path, String... methods) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Route.PATH, path);
        props.put(Route.METHODS, methods);
        props.put(Route.DATABASE, database);
        props.put(REPOSITORY, store.id());
        routes.add(context.registerService(Handler.class, handler, props));
    }
}
