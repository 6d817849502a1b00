package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.Test;
import serv.testkit.ServTestSupport;

/**
 * Secrets never leave the pool (#11): distinctive values set the ways an operator sets them ({@code ${VAR}} in
 * serv.config.yaml, a password inside a URL, a password file, a tenant's database, the console's own login, a
 * password typed into the console's form) are looked for in every service's properties, every console page and
 * download (the status texts and the support zip included), /health and /metrics, the log, and every file Serv
 * writes in its home. serv.jar as an operator runs it, restarted once.
 */
public class SecretsIT {

    private static final String ENV = "EnvSecret3K9q";
    private static final String URL = "UrlSecret5M1w";
    private static final String FILE = "FileSecret8P4z";
    private static final String TENANT = "TenantSecret2X6v";
    private static final String CONSOLE = "ConsoleSecret7Q2r";
    private static final String FORM = "FormSecret4N8t";
    /** Passwords given as a URL's query parameter: the driver takes them (they were stored in clear). */
    private static final String QUERY = "QuerySecret5K2w";
    private static final String FORM_QUERY = "FormQuerySecret9Z3v";
    private static final List<String> ALL = List.of(ENV, URL, FILE, TENANT, CONSOLE, FORM, QUERY, FORM_QUERY);

    @Test
    public void noSecretIsShownKeptOrLogged() throws Exception {
        String db = ServTestSupport.freshPostgres();
        String name = db.substring(db.lastIndexOf('/') + 1);
        String tenantDb = ServTestSupport.freshPostgres();
        Path home = Files.createTempDirectory("serv-secrets-it-");
        Files.writeString(home.resolve("db.password"), FILE + "\n");
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  default: {url: "%s", password: "${SERV_IT_DB_PASSWORD}", pool_size: 1}
                  analytics: {url: "postgresql://postgres:%s@127.0.0.1:5432/%s", pool_size: 1}
                  filed: {url: "%s", password_file: db.password, pool_size: 1}
                  queried: {url: "jdbc:postgresql://127.0.0.1:5432/%s?user=postgres&password=%s", pool_size: 1}
                tenants:
                  acme:
                    hosts: [acme.test]
                    idle_timeout: 0
                    database: {url: "%s", password: "${SERV_IT_TENANT_PASSWORD}"}
                """.formatted(db, URL, name, db, name, QUERY, tenantDb));
        Map<String, String> env = Map.of("SERV_IT_DB_PASSWORD", ENV, "SERV_IT_TENANT_PASSWORD", TENANT,
                "SERV_CONSOLE_USER", "op", "SERV_CONSOLE_PASSWORD", CONSOLE);
        String auth = "Basic " + Base64.getEncoder().encodeToString(("op:" + CONSOLE).getBytes(StandardCharsets.UTF_8));
        int port = ServProcess.freePort();
        try (ServProcess serv = new ServProcess(home, port, "first.log", env)) {
            serv.awaitHealthy();
            assertEquals(200, serv.get("/posts", "Host", "acme.test").statusCode());
            // A database saved through the console's form, with a password typed into it.
            HttpResponse<String> saved = serv.postForm("/system/console/configMgr/"
                    + URLEncoder.encode("[Temporary PID replaced by real PID upon save]", StandardCharsets.UTF_8)
                            .replace("+", "%20"),
                    "apply=true&action=ajaxConfigManager&factoryPid=serv.database&propertylist=name,url,password"
                            + "&name=formed&url=" + URLEncoder.encode(db, StandardCharsets.UTF_8) + "&password=" + FORM,
                    "Authorization", auth);
            assertTrue(saved.body(), saved.statusCode() < 400);
            HttpResponse<String> queried = serv.postForm("/system/console/configMgr/"
                    + URLEncoder.encode("[Temporary PID replaced by real PID upon save]", StandardCharsets.UTF_8)
                            .replace("+", "%20"),
                    "apply=true&action=ajaxConfigManager&factoryPid=serv.database&propertylist=name,url"
                            + "&name=formqueried&url=" + URLEncoder.encode("jdbc:postgresql://127.0.0.1:5432/" + name
                                    + "?user=postgres&password=" + FORM_QUERY, StandardCharsets.UTF_8),
                    "Authorization", auth);
            assertTrue(queried.body(), queried.statusCode() < 400);
            awaitUp(serv, "formed");
            awaitUp(serv, "queried");
            awaitUp(serv, "formqueried");
            scanPages(serv, auth);
            serv.stopGracefully();
        }
        // Restarted: everything comes back from the home, and is still sealed.
        try (ServProcess serv = new ServProcess(home, port, "second.log", env)) {
            serv.awaitHealthy();
            awaitUp(serv, "formed");
            scanPages(serv, auth);
            serv.stopGracefully();
        }
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String n = home.relativize(f).toString();
                if (n.equals("serv.config.yaml") || n.equals("db.password") || n.startsWith("data/framework")) {
                    continue; // the operator's own files, and the framework's copy of the bundles
                }
                check("file " + n, Files.readAllBytes(f));
            }
        }
    }

    private static void awaitUp(ServProcess serv, String database) throws Exception {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!serv.body("/health").contains("\"" + database + "\":{\"state\":\"UP\"")) {
            if (System.nanoTime() > end) {
                fail(database + " is not UP: " + serv.body("/health"));
            }
            Thread.sleep(100);
        }
    }

    /** Every console page and download that shows configuration, services or components; /health, /metrics. */
    private static void scanPages(ServProcess serv, String auth) throws Exception {
        List<String> pages = new ArrayList<>(List.of("/health", "/metrics", "/system/console/bundles.json",
                "/system/console/services.json", "/system/console/components.json", "/system/console/status-scr.txt",
                "/system/console/status-scr.json", "/system/console/config/configuration-status.txt",
                "/system/console/config/configuration-status.json", "/system/console/configMgr",
                "/system/console/configMgr/*.json", "/system/console/status-Configurations.txt",
                "/system/console/config/configuration-status.zip", "/system/console/serv",
                "/system/console/serv/api/overview", "/system/console/serv/api/databases",
                "/system/console/serv/api/databases/default", "/system/console/serv/api/databases/analytics",
                "/system/console/serv/api/databases/filed", "/system/console/serv/api/databases/formed",
                "/system/console/serv/api/databases/default?tenant=acme", "/system/console/serv/api/tenants",
                "/system/console/serv/api/tenants/acme", "/system/console/serv/api/routes",
                "/system/console/serv/api/extensions", "/system/console/serv/api/extensions/serv.blog"));
        HttpResponse<byte[]> components = serv.get("/system/console/components.json", "Authorization", auth);
        Matcher id = Pattern.compile("\"id\":\"?(\\d+)").matcher(new String(components.body(), StandardCharsets.UTF_8));
        while (id.find()) {
            pages.add("/system/console/components/" + id.group(1) + ".json");
        }
        HttpResponse<byte[]> configs = serv.get("/system/console/configMgr/*.json", "Authorization", auth);
        Matcher pid = Pattern.compile("\"pid\":\"([^\"]+)\"").matcher(new String(configs.body(), StandardCharsets.UTF_8));
        while (pid.find()) {
            pages.add("/system/console/configMgr/" + URLEncoder.encode(pid.group(1), StandardCharsets.UTF_8) + ".json");
        }
        for (String page : new String[] { "/system/console/serv/api/databases/formed",
                "/system/console/serv/api/tenants/acme", "/system/console/serv/api/databases/default?tenant=acme",
                "/system/console/status-scr.txt", "/system/console/components.json",
                "/system/console/config/configuration-status.txt", "/system/console/config/configuration-status.zip",
                "/system/console/services.json", "/system/console/configMgr/*.json" }) {
            assertEquals(page, 200, serv.get(page, "Authorization", auth).statusCode());
        }
        for (String host : new String[] { null, "acme.test" }) {
            for (String page : pages) {
                HttpResponse<byte[]> r = host == null ? serv.get(page, "Authorization", auth)
                        : serv.get(page, "Authorization", auth, "Host", host);
                if (page.endsWith(".zip") && r.statusCode() == 200) {
                    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(r.body()))) {
                        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                            check(page + "!" + e.getName(), zip.readAllBytes());
                        }
                    }
                } else {
                    check(page + (host == null ? "" : " on " + host), r.body());
                }
            }
        }
        assertTrue("the console's pages were read", pages.size() > 20);
    }

    private static void check(String where, byte[] content) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        for (String secret : ALL) {
            if (text.contains(secret)) {
                fail("the secret " + secret + " is in " + where);
            }
        }
    }
}
