package serv.console.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import serv.database.Database;
import serv.database.MigrationException;
import serv.database.Migrations;

/**
 * Serv's commands in the Gogo shell, scope {@code serv} ({@code serv:databases}, or just {@code databases}): the same
 * facts and actions as the admin API, for an operator at the server's terminal ({@code java -jar serv.jar run
 * --shell}). {@code help <command>} shows each one's description.
 */
@Component(service = ServCommands.class, property = { "osgi.command.scope=serv",
    "osgi.command.function=databases", "osgi.command.function=database", "osgi.command.function=migrations",
    "osgi.command.function=rollback", "osgi.command.function=migrate", "osgi.command.function=tenants", "osgi.command.function=tenant",
    "osgi.command.function=routes", "osgi.command.function=extensions" })
public final class ServCommands {

    private final Facts facts;
    private final TenantAdmin tenants;
    private final Extensions extensions;
    private final Migrations migrations;

    @Activate
    public ServCommands(@Reference Facts facts, @Reference TenantAdmin tenants, @Reference Extensions extensions,
            @Reference Migrations migrations) {
        this.facts = facts;
        this.tenants = tenants;
        this.extensions = extensions;
        this.migrations = migrations;
    }

    @Descriptor("every database (the tenants' included): state, dialect, pool, where its settings come from")
    public String databases() {
        TextTable t = new TextTable("DATABASE", "STATE", "DIALECT", "POOL", "SETTINGS FROM");
        for (Map<String, Object> d : facts.databases()) {
            t.row(d.get("label"), d.get("state"), d.get("dialect"), pool(d.get("pool")), d.get("source"));
        }
        return t.toString();
    }

    @Descriptor("one database in detail")
    public String database(@Descriptor("its name") String name) throws ApiException {
        return database(name, null);
    }

    @Descriptor("one database of a tenant in detail")
    public String database(@Descriptor("its name (default)") String name, @Descriptor("the tenant") String tenant)
            throws ApiException {
        Database db = find(name, tenant);
        StringBuilder out = new StringBuilder();
        facts.database(db, facts.databaseConfigurations()).forEach((k, v) -> {
            if (v != null && !(v instanceof Map<?, ?> m && m.isEmpty())) {
                out.append(String.format("%-18s %s%n", k, k.equals("pool") ? pool(v) : v));
            }
        });
        return out.toString();
    }

    @Descriptor("a database's migration history, with whether each script is still the one deployed")
    public String migrations(@Descriptor("the database") String name) throws ApiException {
        TextTable t = new TextTable("EXTENSION", "VERSION", "DESCRIPTION", "APPLIED AT", "MS", "SCRIPT");
        for (Map<String, Object> m : facts.migrations(find(name, null))) {
            t.row(m.get("extension"), m.get("version"), m.get("description"), m.get("applied_at"),
                    m.get("duration_ms"), m.get("script"));
        }
        return t.toString();
    }

    @Descriptor("runs the down scripts of an extension's migrations above a version, newest first (may drop data)")
    public String rollback(@Descriptor("the database") String name, @Descriptor("the extension") String extension,
            @Descriptor("the version to go down to (0: all)") String version) throws ApiException, MigrationException {
        List<String> done = migrations.rollback(find(name, null), extension, version);
        return done.isEmpty() ? "nothing above version " + version + " to roll back"
                : "rolled back " + String.join(", ", done) + "; not applied again while this version of "
                        + extension + " is deployed (its routes answer 503): deploy another one, or serv:migrate";
    }

    @Descriptor("applies again the migrations of an extension that a rollback held back")
    public String migrate(@Descriptor("the database") String name, @Descriptor("the extension") String extension)
            throws ApiException, MigrationException {
        return migrations.applyAgain(find(name, null), extension)
                ? "the migrations of " + extension + " are being applied again on " + name
                : "no rollback held back the migrations of " + extension + " on " + name;
    }

    @Descriptor("every tenant: hosts, database, awake or asleep, pool")
    public String tenants() {
        TextTable t = new TextTable("ID", "NAME", "HOSTS", "PATH PREFIX", "DATABASE", "STATE", "POOL");
        for (Map<String, Object> x : facts.tenants()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> db = (Map<String, Object>) x.get("database");
            t.row(x.get("id"), x.get("name"), x.get("hosts"), x.get("path_prefix"),
                    db.containsKey("schema") ? "schema " + db.get("schema") : db.get("url"), x.get("state"),
                    pool(x.get("pool")));
        }
        StringBuilder out = new StringBuilder(t.toString());
        facts.refusedTenants().forEach((pid, why) -> out.append("refused ").append(pid).append(": ").append(why)
                .append('\n'));
        return out.toString();
    }

    @Descriptor("adds, edits or removes a tenant: tenant add <id> hosts=a.example,b.example database_schema=x ...;"
            + " tenant edit <id> key=value ... (key= removes it); tenant remove <id> [drop]")
    public String tenant(@Descriptor("add, edit or remove") String action, @Descriptor("the tenant's id") String id,
            @Descriptor("key=value settings (add, edit), or drop (remove)") String... args) throws ApiException {
        switch (action) {
            case "add" -> {
                Map<String, Object> body = settings(args);
                body.put("id", id);
                return tenants.create(body).message();
            }
            case "edit" -> {
                return tenants.update(id, settings(args), null).message();
            }
            case "remove" -> {
                boolean drop = args.length > 0 && args[0].equals("drop");
                return tenants.remove(id, drop, null).message();
            }
            default -> throw ApiException.badRequest("tenant " + action + ": use add, edit or remove");
        }
    }

    @Descriptor("every route and whether it serves now")
    public String routes() {
        TextTable t = new TextTable("METHODS", "PATH", "DATABASE", "EXTENSION", "STATUS", "WHY");
        for (Map<String, Object> r : facts.routes()) {
            t.row(r.get("methods"), r.get("path"), r.get("database"), r.get("extension") + " " + r.get("version"),
                    r.get("status"), r.get("reason"));
        }
        return t.toString();
    }

    @Descriptor("every extension: version, state, routes serving, and why it does not run when it does not")
    public String extensions() {
        TextTable t = new TextTable("ID", "EXTENSION", "VERSION", "STATE", "ROUTES", "PROBLEM");
        for (Map<String, Object> x : extensions.list()) {
            List<?> routes = (List<?>) x.get("routes");
            t.row(x.get("id"), x.get("symbolic_name"), x.get("version"), x.get("state"), routes.size(),
                    x.get("problem"));
        }
        return t.toString();
    }

    private Database find(String name, String tenant) throws ApiException {
        return facts.database(name, tenant).orElseThrow(() -> ApiException.notFound("database "
                + (tenant == null ? "" : tenant + "/") + name));
    }

    /** key=value arguments as tenant settings; a list key takes comma-separated values; "key=" removes it. */
    private static Map<String, Object> settings(String... args) throws ApiException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw ApiException.badRequest("'" + a + "': give settings as key=value, e.g. hosts=acme.example");
            }
            String value = a.substring(eq + 1);
            out.put(a.substring(0, eq), value.isEmpty() ? null : value);
        }
        return out;
    }

    private static String pool(Object p) {
        if (!(p instanceof Map<?, ?> m)) {
            return "-";
        }
        return m.get("active") + " active / " + m.get("idle") + " idle / " + m.get("pending") + " pending / "
                + m.get("max") + " max";
    }

    /** A plain text table for the terminal. */
    static final class TextTable {
        private final List<String[]> rows = new ArrayList<>();
        private final int columns;

        TextTable(String... headers) {
            columns = headers.length;
            rows.add(headers);
        }

        void row(Object... cells) {
            String[] r = new String[columns];
            for (int i = 0; i < columns; i++) {
                Object c = i < cells.length ? cells[i] : null;
                r[i] = c == null ? "" : c instanceof java.util.Collection<?> list
                        ? String.join(", ", list.stream().map(String::valueOf).toList()) : c.toString();
            }
            rows.add(r);
        }

        @Override
        public String toString() {
            int[] w = new int[columns];
            rows.forEach(r -> {
                for (int i = 0; i < columns; i++) {
                    w[i] = Math.max(w[i], r[i].length());
                }
            });
            StringBuilder out = new StringBuilder();
            for (String[] r : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < columns; i++) {
                    line.append(i == 0 ? "" : "  ").append(String.format("%-" + Math.max(1, w[i]) + "s", r[i]));
                }
                out.append(line.toString().stripTrailing()).append('\n');
            }
            return out.toString();
        }
    }
}
