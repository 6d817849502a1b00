package serv.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import serv.testkit.ServTestSupport;

/**
 * Serv's console pages in a real browser (#12): Debian's Chromium, headless, driven by Selenium through Debian's
 * chromedriver (nothing is downloaded at run time; {@code .ci/run} installs both). An operator logs in, reads the
 * overview, adds a tenant through the Tenants page and sees it serve, is told which key is wrong when a value is,
 * edits a pool in the console's configuration form and sees the gauge follow, and no page shows a password.
 * Screenshots of each page go to {@code target/screenshots} (the ones in docs/ come from here).
 */
public class ConsoleBrowserIT {

    private static final String USER = "op";
    private static final String PASSWORD = "Browser-Console-Pw-5521";
    private static final String DB_PASSWORD = "Browser-Db-Secret-7734";
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    public void anOperatorRunsTheServerFromTheConsole() throws Exception {
        assertTrue("the browser test needs Debian's chromium and chromium-driver: apt-get install chromium"
                + " chromium-driver (.ci/run does)", Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM));
        String url = ServTestSupport.freshPostgres();
        Path home = Files.createTempDirectory("serv-browser-it-");
        Files.writeString(home.resolve("serv.config.yaml"), """
                databases:
                  default: {url: "%s", password: "${SERV_IT_DB_PASSWORD}", pool_size: 2}
                """.formatted(url));
        Path shots = Path.of(System.getProperty("user.dir"), "target/screenshots");
        Files.createDirectories(shots);
        try (ServProcess serv = new ServProcess(home, ServProcess.freePort(), "serv.log", Map.of(
                "SERV_CONSOLE_USER", USER, "SERV_CONSOLE_PASSWORD", PASSWORD, "SERV_IT_DB_PASSWORD", DB_PASSWORD))) {
            serv.awaitHealthy();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1400,1000");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(
                    CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            WebDriver browser = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                String base = "http://127.0.0.1:" + serv.port + "/system/console";

                // Logs in (HTTP Basic, as the console asks) and lands on Serv's overview.
                browser.get("http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + serv.port + "/system/console/");
                wait.until(ExpectedConditions.urlContains("/system/console/serv"));
                WebElement attention = wait.until(ExpectedConditions.visibilityOfElementLocated(
                        By.id("serv-attention")));
                assertTrue(attention.getText(), attention.getText().startsWith("Nothing"));
                assertTrue(browser.findElement(By.id("serv-page")).getText().contains("default"));
                shot(browser, shots, "overview");

                // Adds a tenant through the page; a wrong value is refused with its key.
                browser.get(base + "/serv-tenants");
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("tenant-save")));
                type(browser, "tenant-id", "acme");
                type(browser, "tenant-hosts", "acme.test");
                type(browser, "tenant-pool_size", "lots");
                browser.findElement(By.id("tenant-save")).click();
                WebElement msg = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
                        "#serv-msg.serv-error")));
                assertTrue(msg.getText(), msg.getText().contains("pool_size"));
                type(browser, "tenant-pool_size", "");
                type(browser, "tenant-database_schema", "acme");
                browser.findElement(By.id("tenant-save")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("serv-msg"), "tenant acme added"));
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("tenant-acme-row")));
                assertEquals(200, serv.get("/posts", "Host", "acme.test").statusCode());
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tenant-acme-row"), "UP"));
                shot(browser, shots, "tenants");

                // Edits the pool in the console's own configuration form; the gauge follows.
                browser.get(base + "/serv-databases");
                WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("db-default")));
                assertTrue(row.getText(), row.getText().contains("/ 2 max"));
                browser.get(base + "/configMgr/serv.database~default");
                WebElement size = wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("pool_size")));
                size.clear();
                size.sendKeys("4");
                for (WebElement b : browser.findElements(By.tagName("button"))) {
                    if (b.getText().equals("Save") && b.isDisplayed()) {
                        b.click();
                        break;
                    }
                }
                Thread.sleep(500); // the form posts, then the console reloads its list
                browser.get(base + "/serv-databases");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("db-default"), "/ 4 max"));
                shot(browser, shots, "databases");

                browser.get(base + "/serv-routes");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("serv-body"), "/posts"));
                shot(browser, shots, "routes");
                browser.get(base + "/serv-extensions");
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("ext-serv.blog")));
                shot(browser, shots, "extensions");

                // No page shows a password: neither the database's nor the console's own.
                for (String page : List.of("serv", "serv-databases", "serv-tenants", "serv-routes", "serv-extensions",
                        "configMgr", "configMgr/serv.database~default", "components", "logs")) {
                    browser.get(base + "/" + page);
                    Thread.sleep(page.startsWith("serv") ? 1500 : 300); // the Serv pages draw from the API
                    String source = browser.getPageSource();
                    assertFalse(page + " shows the database password", source.contains(DB_PASSWORD));
                    assertFalse(page + " shows the console password", source.contains(PASSWORD));
                }
            } catch (RuntimeException | AssertionError e) {
                shot(browser, shots, "failure");
                throw new AssertionError(e.getMessage() + "\n(screenshot: target/screenshots/console-failure.png)\n"
                        + browser.getPageSource().replaceAll("(?s).*<div id=.content.>", ""), e);
            } finally {
                browser.quit();
            }
        }
    }

    private static void type(WebDriver browser, String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        if (!text.isEmpty()) {
            e.sendKeys(text);
        }
    }

    private static void shot(WebDriver browser, Path dir, String name) throws Exception {
        Thread.sleep(300); // the gauges and tables are drawn
        Files.write(dir.resolve("console-" + name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
