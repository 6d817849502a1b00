package serv.console.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URL;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Serv's pages in the Web Console, in a "Serv" category with the console's look and login: Overview (the page the
 * console opens on), Databases, Tenants, Routes, Extensions and Cluster. Each page is a small HTML frame whose script reads
 * and acts through the admin API ({@link AdminApi}, served under the Overview page's path), so the pages show
 * nothing that scripts and the command line cannot get.
 */
@Component(immediate = true)
public final class ServPages {

    private static final Logger LOG = LoggerFactory.getLogger(ServPages.class);
    static final String LABEL = "serv";
    private static final String OSGI_MANAGER = "org.apache.felix.webconsole.internal.servlet.OsgiManager";

    /** label, title, page. */
    private static final String[][] PAGES = {
        { LABEL, "Overview", "overview" },
        { "serv-databases", "Databases", "databases" },
        { "serv-tenants", "Tenants", "tenants" },
        { "serv-routes", "Routes", "routes" },
        { "serv-extensions", "Extensions", "extensions" },
        { "serv-cluster", "Cluster", "cluster" },
    };

    private final List<ServiceRegistration<Servlet>> registrations = new ArrayList<>();

    @Activate
    public ServPages(BundleContext context, @Reference AdminApi api, @Reference ConfigurationAdmin cm) {
        for (String[] page : PAGES) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(ServletConstants.PLUGIN_LABEL, page[0]);
            props.put(ServletConstants.PLUGIN_TITLE, page[1]);
            props.put(ServletConstants.PLUGIN_CATEGORY, "Serv");
            props.put(ServletConstants.PLUGIN_CSS_REFERENCES, new String[] { "/" + LABEL + "/res/serv.css" });
            registrations.add(context.registerService(Servlet.class, new Page(page[0], page[2], api), props));
        }
        openOnOverview(cm);
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
    }

    /** The console opens on Serv's overview unless an operator chose another page. */
    private static void openOnOverview(ConfigurationAdmin cm) {
        try {
            Configuration c = cm.getConfiguration(OSGI_MANAGER, "?");
            Dictionary<String, Object> props = Facts.properties(c);
            if (props == null || props.get("default.render") == null) {
                Dictionary<String, Object> next = props == null ? new Hashtable<>() : props;
                next.put("default.render", LABEL);
                c.update(next);
            }
        } catch (IOException e) {
            LOG.warn("The console's first page could not be set to Serv's overview: {}", e.toString());
        }
    }

    /** One page: its frame, and for the Overview page also the admin API and the pages' script and style. */
    static final class Page extends AbstractServlet {

        private static final long serialVersionUID = 1L;

        private final String label;
        private final String page;
        private final transient AdminApi api;

        Page(String label, String page, AdminApi api) {
            this.label = label;
            this.page = page;
            this.api = api;
        }

        /** What follows the page's label in the request path ("" for the page itself). */
        private String rest(HttpServletRequest req) {
            String info = req.getPathInfo() == null ? "" : req.getPathInfo();
            String prefix = "/" + label;
            return info.startsWith(prefix) ? info.substring(prefix.length()) : info;
        }

        /**
         * The admin API takes every method itself (HEAD, OPTIONS, PATCH and TRACE included: HttpServlet would
         * answer them for it, and the console would frame its page around an answer that set no status); the
         * pages, GET (their resources too) and HEAD.
         */
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
            String rest = rest(req);
            if (label.equals(LABEL) && rest.startsWith(AdminApi.PREFIX)) {
                api.handle(rest.substring(AdminApi.PREFIX.length()), req, resp);
            } else {
                super.service(req, resp);
            }
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.sendError(405);
        }

        @Override
        protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.sendError(405);
        }

        @Override
        protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.sendError(405);
        }

        @Override
        protected URL getResource(String path) {
            String prefix = "/" + LABEL + "/res/";
            if (label.equals(LABEL) && path.startsWith(prefix) && path.indexOf("..") < 0) {
                return ServPages.class.getResource("/console/" + path.substring(prefix.length()));
            }
            return null;
        }

        @Override
        public void renderContent(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
            Object root = req.getAttribute(ServletConstants.ATTR_APP_ROOT);
            String appRoot = root == null ? "/system/console" : root.toString();
            PrintWriter out = resp.getWriter();
            out.println("<div id=\"serv-page\" data-page=\"" + page + "\" data-root=\"" + appRoot + "\">"
                    + "<p class=\"serv-loading\">Loading…</p></div>");
            out.println("<script src=\"" + appRoot + "/" + LABEL + "/res/serv.js\"></script>");
        }
    }
}
