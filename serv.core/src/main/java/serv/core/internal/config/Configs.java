package serv.core.internal.config;

import java.util.Dictionary;

import org.osgi.service.cm.Configuration;

/** Reading Configuration Admin's configurations that another thread may delete between the listing and the read. */
public final class Configs {

    private Configs() {
    }

    /**
     * A configuration's properties; null when it has none yet or was deleted since it was listed (Configuration Admin
     * then throws IllegalStateException: a tenant removed on one thread while another lists them).
     */
    public static Dictionary<String, Object> properties(Configuration c) {
        try {
            return c.getProperties();
        } catch (IllegalStateException deleted) {
            return null;
        }
    }
}
