package serv.cli.admin;

import java.io.Console;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import serv.cli.CommandGroup;

/**
 * The operator's commands against a running server, through its admin API: {@code serv status},
 * {@code serv database}, {@code serv tenant}, {@code serv route}, {@code serv extension}. Tables by default,
 * {@code --json} for the API's answer; exit codes: 0 done, 1 refused (the reason is printed), 2 a wrong option or
 * argument (nothing sent), 3 no server, 4 login refused, 5 server error ({@code serv status}: 1 when something needs
 * attention).
 */
public final class AdminCommands {

    private AdminCommands() {
    }

    static final String EXIT_CODES = "%nExit codes: 0 done, 1 refused (the reason is printed), 2 a wrong option or"
            + " argument (nothing was sent), 3 no server answers, 4 login refused, 5 server error.";

    /** A command that talks to the server: its options, and the printing of failures. */
    abstract static class AdminCommand implements Callable<Integer> {
        @Mixin
        AdminClient.Options options;

        @Spec
        CommandSpec spec;

        @Override
        public final Integer call() {
            try {
                check();
                return run(new AdminClient(options), spec.commandLine().getOut());
            } catch (AdminClient.Failure f) {
                spec.commandLine().getErr().println("serv: " + f.getMessage());
                return f.exitCode();
            }
        }

        /**
         * Checks the command's arguments before anything else (the server's address, the login, a request): a wrong
         * one is a {@link AdminClient#USAGE} failure.
         */
        void check() throws AdminClient.Failure {
        }

        abstract int run(AdminClient api, PrintWriter out) throws AdminClient.Failure;

        /** Prints the JSON answer with --json, else the table; 0. */
        static int print(AdminClient api, PrintWriter out, JsonNode answer, Object table) {
            out.print(api.json ? AdminClient.pretty(answer) + "\n" : table.toString());
            out.flush();
            return AdminClient.OK;
        }
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString();
    }

    static String list(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(x -> out.add(x.asText()));
        }
        return String.join(", ", out);
    }

    static String pool(JsonNode p) {
        return p == null || p.isNull() ? "-" : p.get("active").asInt() + " active / " + p.get("idle").asInt()
                + " idle / " + p.get("pending").asInt() + " pending / " + p.get("max").asInt() + " max";
    }

    static String tenantQuery(String tenant) throws AdminClient.Failure {
        return tenant == null ? "" : "?tenant=" + PathValues.tenant(tenant);
    }

    // ---- status -------------------------------------------------------------------------------------------

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The running server at a glance:"
            + " version, uptime, traffic, databases, and what needs attention (exit code 1 when something does).",
            footer = EXIT_CODES)
    public static final class Status extends AdminCommand {
        @Override
        int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
            JsonNode o = api.get("overview");
            JsonNode attention = o.get("attention");
            if (api.json) {
                print(api, out, o, "");
                return attention.isEmpty() ? AdminClient.OK : AdminClient.REFUSED;
            }
            JsonNode s = o.get("server");
            JsonNode t = o.get("traffic");
            out.printf("Serv %s, up %s s, Java %s, home %s%n", text(s, "version"), text(s, "uptime_seconds"),
                    text(s, "java"), text(s, "home"));
            out.printf("Traffic: %s requests/s, %s 4xx/s, %s 5xx/s (since start: %s requests, %s 5xx)%n",
                    text(t, "requests_per_second"), text(t, "client_errors_per_second"),
                    text(t, "server_errors_per_second"), text(t, "requests"), text(t, "server_errors"));
            out.printf("Tenants: %s configured, %s awake%n%n", text(o.get("tenants"), "count"),
                    text(o.get("tenants"), "awake"));
            Table dbs = new Table("DATABASE", "STATE", "REASON");
            o.get("databases").forEach(d -> dbs.row((d.hasNonNull("tenant") ? text(d, "tenant") + "/" : "")
                    + text(d, "name"), text(d, "state"), text(d, "reason")));
            out.print(dbs);
            if (attention.isEmpty()) {
                out.println("\nNothing needs attention.");
            } else {
                out.println("\nNeeds attention:");
                Table a = new Table("WHAT", "SUBJECT", "WHY");
                attention.forEach(x -> a.row(text(x, "kind"), text(x, "subject"), text(x, "message")));
                out.print(a);
            }
            out.flush();
            return attention.isEmpty() ? AdminClient.OK : AdminClient.REFUSED;
        }
    }

    // ---- databases ----------------------------------------------------------------------------------------

    @Command(name = "database", mixinStandardHelpOptions = true, description = "The server's databases (the"
            + " tenants' included): list, status, migrations, test, rollback, migrate.", footer = EXIT_CODES,
            subcommands = { Database.List.class, Database.StatusOf.class, Database.MigrationsOf.class,
                Database.Test.class, Database.Rollback.class, Database.Migrate.class })
    public static final class Database extends CommandGroup {

        @Command(name = "list", mixinStandardHelpOptions = true, description = "Every database: state, dialect,"
                + " pool, where its settings come from.", footer = EXIT_CODES)
        static final class List extends AdminCommand {
            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                JsonNode a = api.get("databases");
                Table t = new Table("DATABASE", "STATE", "DIALECT", "POOL", "SETTINGS FROM");
                a.get("databases").forEach(d -> t.row(text(d, "label"), text(d, "state"), text(d, "dialect"),
                        pool(d.get("pool")), text(d, "source")));
                return print(api, out, a, t);
            }
        }

        abstract static class One extends AdminCommand {
            @Parameters(index = "0", paramLabel = "NAME", description = "The database's name (default for a"
                    + " tenant's).")
            String name;

            @Option(names = "--tenant", description = "The tenant whose database it is.")
            String tenant;

            /** {@code databases/{name}}, then {@code action} ("" or "/test", ...), then the tenant: checked. */
            String path(String action) throws AdminClient.Failure {
                return "databases/" + PathValues.database(name) + action + tenantQuery(tenant);
            }

            @Override
            void check() throws AdminClient.Failure {
                path("");
            }
        }

        @Command(name = "status", mixinStandardHelpOptions = true, description = "One database in detail.",
                footer = EXIT_CODES)
        static final class StatusOf extends One {
            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                JsonNode d = api.get(path(""));
                StringBuilder s = new StringBuilder();
                for (String f : new String[] { "label", "state", "reason", "dialect", "url", "source",
                    "acquire_ms_avg", "timeouts", "pending_change", "rejected_change" }) {
                    if (d.hasNonNull(f)) {
                        s.append(String.format("%-16s %s%n", f.replace('_', ' '), text(d, f)));
                    }
                }
                s.append(String.format("%-16s %s%n", "pool", pool(d.get("pool"))));
                d.get("failed_extensions").fields().forEachRemaining(e -> s.append(String.format(
                        "%-16s %s: %s%n", "failed", e.getKey(), e.getValue().asText())));
                return print(api, out, d, s);
            }
        }

        @Command(name = "migrations", mixinStandardHelpOptions = true, description = "A database's migration"
                + " history, with whether each script is still the one deployed.", footer = EXIT_CODES)
        static final class MigrationsOf extends One {
            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                JsonNode d = api.get(path(""));
                if (!d.hasNonNull("migrations")) {
                    throw new AdminClient.Failure(AdminClient.SERVER_ERROR, text(d, "migrations_error"));
                }
                Table t = new Table("EXTENSION", "VERSION", "DESCRIPTION", "APPLIED AT", "MS", "SCRIPT");
                d.get("migrations").forEach(m -> t.row(text(m, "extension"), text(m, "version"),
                        text(m, "description"), text(m, "applied_at"), text(m, "duration_ms"), text(m, "script")));
                return print(api, out, d.get("migrations"), t);
            }
        }

        @Command(name = "test", mixinStandardHelpOptions = true, description = "Opens a connection of its own to"
                + " the database and checks that it answers (exit code 1 when it does not).", footer = EXIT_CODES)
        static final class Test extends One {
            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                JsonNode r = api.post(path("/test"), Map.of());
                print(api, out, r, (r.get("ok").asBoolean() ? "answered in " + text(r, "ms") + " ms: "
                        : "no answer: ") + text(r, "message") + "\n");
                return r.get("ok").asBoolean() ? AdminClient.OK : AdminClient.REFUSED;
            }
        }

        @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Runs the down scripts of an"
                + " extension's migrations above a version, newest first. It may drop data: it asks, unless --yes.",
                footer = EXIT_CODES)
        static final class Rollback extends One {
            @Option(names = "--extension", required = true, description = "The extension (bundle symbolic name).")
            String extension;

            @Option(names = "--to", required = true, description = "The version to go down to (0: all).")
            String version;

            @Option(names = "--yes", description = "Do not ask.")
            boolean yes;

            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                if (!yes) {
                    Console console = System.console();
                    if (console == null) {
                        throw new AdminClient.Failure(AdminClient.REFUSED, "a rollback may drop data: confirm"
                                + " with --yes (no terminal to ask on)");
                    }
                    String answer = console.readLine("Roll back %s on database %s to version %s? It may drop data."
                            + " [y/N] ", extension, name, version);
                    if (answer == null || !answer.strip().equalsIgnoreCase("y")) {
                        out.println("Nothing rolled back.");
                        out.flush();
                        return AdminClient.REFUSED;
                    }
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("extension", extension);
                body.put("version", version);
                body.put("confirm", true);
                JsonNode r = api.post(path("/rollback"), body);
                return print(api, out, r, text(r, "message") + "\n");
            }
        }

        @Command(name = "migrate", mixinStandardHelpOptions = true, description = "Applies again the migrations of"
                + " an extension that a rollback held back (while the version rolled back stays deployed).",
                footer = EXIT_CODES)
        static final class Migrate extends One {
            @Option(names = "--extension", required = true, description = "The extension (bundle symbolic name).")
            String extension;

            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                JsonNode r = api.post(path("/migrate"),
                        Map.of("extension", extension));
                return print(api, out, r, text(r, "message") + "\n");
            }
        }
    }

    // ---- tenants ------------------------------------------------------------------------------------------

    @Command(name = "tenant", mixinStandardHelpOptions = true, description = "The server's tenants: list, add,"
            + " edit, remove.", footer = EXIT_CODES, subcommands = { Tenant.List.class, Tenant.Add.class,
                Tenant.Edit.class, Tenant.Remove.class })
    public static final class Tenant extends CommandGroup {

        @Command(name = "list", mixinStandardHelpOptions = true, description = "The tenants (a page of them):"
                + " hosts, database, awake or asleep, pool.", footer = EXIT_CODES)
        static final class List extends AdminCommand {
            @Option(names = "--limit", defaultValue = "100", description = "Tenants to list (default 100, at most"
                    + " 1000).")
            int limit;

            @Option(names = "--offset", defaultValue = "0", description = "Tenants to skip.")
            int offset;

            @Option(names = "--filter", description = "Only those whose id, name or host contains this.")
            String filter;

            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                JsonNode a = api.get("tenants?offset=" + offset + "&limit=" + limit
                        + (filter == null ? "" : "&q=" + PathValues.segment(filter)));
                Table t = new Table("ID", "NAME", "HOSTS", "PATH PREFIX", "DATABASE", "STATE", "POOL");
                a.get("tenants").forEach(x -> t.row(text(x, "id"), text(x, "name"), list(x.get("hosts")),
                        text(x, "path_prefix"), x.get("database").hasNonNull("schema")
                                ? "schema " + text(x.get("database"), "schema") : text(x.get("database"), "url"),
                        text(x, "state"), pool(x.get("pool"))));
                StringBuilder s = new StringBuilder(t.toString());
                if (a.get("total").asInt() > a.get("tenants").size()) {
                    s.append(a.get("tenants").size()).append(" of ").append(a.get("total").asInt())
                            .append(" tenants (--offset, --limit)\n");
                }
                a.get("refused").fields().forEachRemaining(e -> s.append("refused ").append(e.getKey()).append(": ")
                        .append(e.getValue().asText()).append('\n'));
                return print(api, out, a, s);
            }
        }

        /** The settings a tenant command can give; each one given is sent, the rest left as they are. */
        abstract static class Settings extends AdminCommand {
            @Option(names = "--name", description = "Display name.")
            String name;
            @Option(names = "--host", description = "A Host header that selects it (repeat; *.example.com for every"
                    + " subdomain).")
            java.util.List<String> hosts;
            @Option(names = "--path-prefix", description = "A path prefix that selects it (/t/acme).")
            String pathPrefix;
            @Option(names = "--schema", description = "Its schema in the shared database default (default: its id).")
            String schema;
            @Option(names = "--database-url", description = "A database of its own instead of a schema.")
            String databaseUrl;
            @Option(names = "--database-user", description = "The user of its own database.")
            String databaseUser;
            @Option(names = "--idle-timeout", description = "Seconds without a request before its pool closes"
                    + " (0: always open).")
            String idleTimeout;
            @Option(names = "--pool-size", description = "Connections kept open.")
            String poolSize;
            @Option(names = "--max-size", description = "Most connections.")
            String maxSize;
            @Option(names = "--extension", description = "An extension it has (repeat; none given: all).")
            java.util.List<String> extensions;
            @Option(names = "--min-connections", description = "Connections the connection budget keeps for it"
                    + " (default 1).")
            String minConnections;
            @Option(names = "--max-requests", description = "Its requests served at once (default twice max"
                    + " size).")
            String maxRequests;

            Map<String, Object> settings() {
                Map<String, Object> m = new LinkedHashMap<>();
                put(m, "name", name);
                put(m, "hosts", hosts);
                put(m, "path_prefix", pathPrefix);
                put(m, "database_schema", schema);
                put(m, "database_url", databaseUrl);
                put(m, "database_user", databaseUser);
                put(m, "idle_timeout", idleTimeout);
                put(m, "pool_size", poolSize);
                put(m, "max_size", maxSize);
                put(m, "extensions", extensions);
                put(m, "min_connections", minConnections);
                put(m, "max_requests", maxRequests);
                String password = System.getenv("SERV_TENANT_DATABASE_PASSWORD");
                if (databaseUrl != null && password != null) {
                    m.put("database_password", password);
                }
                return m;
            }

            private static void put(Map<String, Object> m, String key, Object value) {
                if (value != null) {
                    m.put(key, value);
                }
            }
        }

        @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a tenant (checked like the"
                + " files: a wrong value is refused with the key and the fix). Its own database's password comes"
                + " from $SERV_TENANT_DATABASE_PASSWORD.", footer = EXIT_CODES)
        static final class Add extends Settings {
            @Parameters(index = "0", paramLabel = "ID", description = "Its id: lower-case letters, digits, '-'.")
            String id;

            @Override
            void check() throws AdminClient.Failure {
                PathValues.newTenant(id);
            }

            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", id);
                body.putAll(settings());
                JsonNode r = api.post("tenants", body);
                return print(api, out, r, text(r, "message") + "\n");
            }
        }

        @Command(name = "edit", mixinStandardHelpOptions = true, description = "Changes a tenant's settings: those"
                + " given replace the stored ones.", footer = EXIT_CODES)
        static final class Edit extends Settings {
            @Parameters(index = "0", paramLabel = "ID", description = "The tenant's id.")
            String id;

            @Override
            void check() throws AdminClient.Failure {
                PathValues.tenant(id);
            }

            @Option(names = "--unset", description = "A setting to remove (repeat), e.g. path_prefix.")
            java.util.List<String> unset;

            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                Map<String, Object> body = settings();
                if (unset != null) {
                    unset.forEach(k -> body.put(k, null));
                }
                if (body.isEmpty()) {
                    throw new AdminClient.Failure(AdminClient.REFUSED, "give at least one setting to change (see"
                            + " serv tenant edit --help)");
                }
                JsonNode r = api.put("tenants/" + PathValues.tenant(id), body);
                return print(api, out, r, text(r, "message") + "\n");
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a tenant; its data is kept"
                + " unless --drop-data (a schema tenant's schema is dropped).", footer = EXIT_CODES)
        static final class Remove extends AdminCommand {
            @Parameters(index = "0", paramLabel = "ID", description = "The tenant's id.")
            String id;

            @Option(names = "--drop-data", description = "Also drop its schema and all its data.")
            boolean drop;

            @Override
            void check() throws AdminClient.Failure {
                PathValues.tenant(id);
            }

            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                JsonNode r = api.delete("tenants/" + PathValues.tenant(id) + "?data=" + (drop ? "drop" : "keep"));
                return print(api, out, r, text(r, "message") + "\n");
            }
        }
    }

    // ---- routes -------------------------------------------------------------------------------------------

    @Command(name = "route", mixinStandardHelpOptions = true, description = "The server's routes.",
            footer = EXIT_CODES, subcommands = { Route.List.class })
    public static final class Route extends CommandGroup {

        @Command(name = "list", mixinStandardHelpOptions = true, description = "Every route and whether it serves"
                + " now.", footer = EXIT_CODES)
        static final class List extends AdminCommand {
            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                JsonNode a = api.get("routes");
                Table t = new Table("METHODS", "PATH", "DATABASE", "EXTENSION", "STATUS", "WHY");
                a.get("routes").forEach(r -> t.row(list(r.get("methods")), text(r, "path"), text(r, "database"),
                        text(r, "extension") + " " + text(r, "version"), text(r, "status"), text(r, "reason")));
                return print(api, out, a, t);
            }
        }
    }

    // ---- cluster ------------------------------------------------------------------------------------------

    @Command(name = "cluster", mixinStandardHelpOptions = true, description = "The cluster this server is a node of:"
            + " its store, and every node (heartbeat, Serv version, the store version it applied, its databases)."
            + " Exit code 1 when the store cannot be reached or a node is behind or gone.", footer = EXIT_CODES)
    public static final class Cluster extends AdminCommand {
        @Override
        int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
            JsonNode a = api.get("cluster");
            if (!a.path("clustered").asBoolean()) {
                out.println("This server is on its own: no cluster.url in serv.config.yaml and no SERV_CLUSTER_URL.");
                out.flush();
                return AdminClient.OK;
            }
            JsonNode st = a.get("status");
            Table t = new Table("NODE", "ADDRESS", "SERV", "HEARTBEAT", "APPLIED", "STATE", "DATABASES");
            boolean attention = !"CONNECTED".equals(text(st, "store"));
            for (JsonNode n : a.get("nodes")) {
                List<String> dbs = new ArrayList<>();
                n.path("databases").fields().forEachRemaining(e -> dbs.add(e.getKey() + " " + e.getValue().asText()));
                t.row(text(n, "id") + (text(n, "id").equals(text(st, "node")) ? " *" : ""), text(n, "address"),
                        text(n, "serv_version"), text(n, "heartbeat_age_s") + " s ago", text(n, "applied_version"),
                        text(n, "state"), String.join(", ", dbs));
                attention |= !"UP_TO_DATE".equals(text(n, "state"));
            }
            String head = "Cluster " + text(st, "name") + ": store " + text(st, "store") + (st.hasNonNull("reason")
                    ? " since " + text(st, "unreachable_since") + " (" + text(st, "reason") + ")" : "") + ", version "
                    + text(st, "version") + ", applied here " + text(st, "applied_version") + "\n";
            print(api, out, a, api.json ? t : head + t);
            return attention ? AdminClient.REFUSED : AdminClient.OK;
        }
    }

    // ---- extensions ---------------------------------------------------------------------------------------

    @Command(name = "extension", mixinStandardHelpOptions = true, description = "The server's extensions: list,"
            + " start, stop.", footer = EXIT_CODES, subcommands = { Extension.List.class, Extension.Start.class,
                Extension.Stop.class })
    public static final class Extension extends CommandGroup {

        @Command(name = "list", mixinStandardHelpOptions = true, description = "Every extension: version, state,"
                + " routes serving, the jar it runs from, and why it does not run when it does not.",
                footer = EXIT_CODES)
        static final class List extends AdminCommand {
            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                JsonNode a = api.get("extensions");
                Table t = new Table("ID", "EXTENSION", "VERSION", "STATE", "ROUTES SERVING", "JAR", "PROBLEM");
                a.get("extensions").forEach(x -> {
                    int serving = 0;
                    for (JsonNode r : x.get("routes")) {
                        serving += "SERVING".equals(text(r, "status")) ? 1 : 0;
                    }
                    t.row(text(x, "id"), text(x, "symbolic_name"), text(x, "version"), text(x, "state"),
                            serving + " of " + x.get("routes").size(), text(x, "location"), text(x, "problem"));
                });
                return print(api, out, a, t);
            }
        }

        abstract static class Act extends AdminCommand {
            @Parameters(index = "0", paramLabel = "EXTENSION", description = "Its bundle id or symbolic name.")
            String extension;

            @Override
            void check() throws AdminClient.Failure {
                PathValues.extension(extension);
            }

            int act(AdminClient api, PrintWriter out, String what) throws AdminClient.Failure {
                JsonNode r = api.post("extensions/" + PathValues.extension(extension) + "/" + what, Map.of());
                return print(api, out, r, text(r, "symbolic_name") + " " + text(r, "version") + ": "
                        + text(r, "state") + (r.hasNonNull("problem") ? " (" + text(r, "problem") + ")" : "") + "\n");
            }
        }

        @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts an extension.",
                footer = EXIT_CODES)
        static final class Start extends Act {
            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                return act(api, out, "start");
            }
        }

        @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops an extension: its routes"
                + " answer 503 until it starts again, restarts included.", footer = EXIT_CODES)
        static final class Stop extends Act {
            @Override
            int run(AdminClient api, PrintWriter out) throws AdminClient.Failure {
                return act(api, out, "stop");
            }
        }
    }
}
