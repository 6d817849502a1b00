package serv.blog.internal;

import java.util.Locale;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import serv.blog.internal.jdbc.JdbcStore;
import serv.blog.internal.jpa.JpaStore;
import serv.core.Request;
import serv.jpa.EntityManagers;

/**
 * The blog's settings and its repository implementations, for its routes. The routes are components of their own
 * ({@code @Component} + {@code @Route}, configuration {@value #PID}): the {@code database} setting moves them and
 * their migrations ({@link BlogMigrations}) to that database (Serv turns it into their {@code serv.route.database}
 * and {@code serv.migrations.database}); the {@code repository} setting picks the store of their next request.
 */
@Component(service = Blog.class, configurationPid = Blog.PID)
@Designate(ocd = BlogConfiguration.class)
public final class Blog {

    /** The blog's configuration PID: {@code - extension: blog} in serv.config.yaml. */
    public static final String PID = "serv.blog";

    private static final Logger LOG = LoggerFactory.getLogger(Blog.class);

    private final Map<String, Store> stores;

    @Activate
    public Blog(@Reference EntityManagers entityManagers, BlogConfiguration config) {
        stores = Map.of("jdbc", new JdbcStore(), "jpa", new JpaStore(entityManagers));
        modified(config);
    }

    @Modified
    void modified(BlogConfiguration config) {
        Store store = store(config);
        String db = config.database().trim();
        if (db.isEmpty()) {
            throw new IllegalArgumentException("serv.blog: database must name a Serv database; "
                    + "fix the setting 'database' of the blog (default: default)");
        }
        LOG.info("Blog: database {}, {} repositories", db, store.id());
    }

    /** The store of a configuration's {@code repository}; a wrong value names the key and the fix. */
    Store store(BlogConfiguration config) {
        Store next = stores.get(config.repository().trim().toLowerCase(Locale.ROOT));
        if (next == null) {
            throw new IllegalArgumentException("serv.blog: repository must be jdbc or jpa, not '"
                    + config.repository() + "'; fix the setting 'repository' of the blog");
        }
        return next;
    }

    /** The post service of one request, on {@code store}. */
    static PostService posts(Store store, Request request) {
        return new PostService(store.posts(request), store.users(request));
    }
}
