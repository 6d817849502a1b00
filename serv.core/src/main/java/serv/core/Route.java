package serv.core;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type for a route: put it on a {@link Handler} component.
 *
 * <pre>
 * &#64;Component(service = Handler.class)
 * &#64;Route(path = "/posts/{id}", methods = {"GET", "PUT", "DELETE"}, database = "default")
 * public final class PostDetail implements Handler { ... }
 * </pre>
 *
 * Each element becomes a service property with the prefix {@code serv.route.}, so configuration can override
 * any of them, for example {@code serv.route.database=analytics}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Route {

    /** Prefix of the service properties. */
    String PREFIX_ = "serv.route.";

    /** Service property: the path template, for example {@code /posts/{id}}. */
    String PATH = "serv.route.path";

    /** Service property: the HTTP methods the route answers. */
    String METHODS = "serv.route.methods";

    /** Service property: the name of the database the route needs (none when empty). */
    String DATABASE = "serv.route.database";

    /**
     * The path template: literal segments and {@code {name}} segments, which match one path segment each and are
     * available through {@link Request#pathParam(String)}. A parameter is a whole segment with a name of its own:
     * a route whose path has a brace elsewhere (<code>/notes/&#123;id</code>) or a name twice is refused (it
     * answers nothing, and the log, the console and {@code serv deploy} say why).
     */
    String path();

    /**
     * The HTTP methods answered, of GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS (another, a typo such as
     * {@code GTE}, refuses the route as a wrong path does); HEAD is answered wherever GET is.
     */
    String[] methods() default { "GET" };

    /**
     * The name of the database this route needs ({@code serv.database.name}). When it is set, the runtime answers
     * 503 with {@code Retry-After} while that database is not up, and {@link Request#connection()} borrows from it.
     */
    String database() default "";
}
