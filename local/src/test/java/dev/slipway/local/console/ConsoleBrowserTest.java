package dev.slipway.local.console;

import dev.slipway.local.EmbeddedEngines;
import dev.slipway.local.LocalSlipway;
import dev.slipway.local.imports.Exports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console end to end in Debian's headless Chromium (chromedriver + Selenium), against `slipway up`:
 * a wrong token refused, sign in, create an app, drop a zip (the file input the drop zone also offers),
 * deploy and watch it finish, open the site, a second release, roll back with a reason, see the rollback
 * in the audit trail with the chain verified, a protected preview opened with its share link and extended, an
 * environment variable set (its value never shown), a token created and revoked, a phone-sized page, sign out. Screenshots go to target/console-screenshots/; the
 * browser's console must log no error. One browser session for the whole walk (CPU is scarce).
 */
class ConsoleBrowserTest {
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @RegisterExtension
    static final LocalSlipway slipway = LocalSlipway.builder().skipWithoutNpmDependencies().scheduleInterval(Duration.ZERO).build();

    static ChromeDriver driver;
    static WebDriverWait wait;
    static Path shots;
    static Path profile;

    @BeforeAll
    static void browser() throws Exception {
        assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "chromium and chromium-driver are not installed (./slipway test installs them where root or sudo allows)");
        shots = EmbeddedEngines.repoRoot().resolve("local/target/console-screenshots");
        Files.createDirectories(shots);
        profile = Files.createTempDirectory("slipway-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile,
                "--host-resolver-rules=MAP *.localhost 127.0.0.1");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    @AfterAll
    static void close() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            try (var walk = Files.walk(profile)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Map<String, String> site(String headline) {
        return Map.of("index.html", "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shop</title>"
                        + "<link rel=\"stylesheet\" href=\"/style.css\"></head><body><h1 id=\"headline\">" + headline + "</h1></body></html>\n",
                "style.css", "h1 { color: #1f4e79; }\n");
    }

    static WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    static void shot(String name) throws Exception {
        File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    static void go(String hash) {
        driver.get(slipway.runtime().consoleUrl() + hash);
    }

    /** A drop as a person makes it, of a file the page is handed (a test cannot drag from the desktop). */
    static final String DROP = """
            const [b64, name] = arguments;
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type: 'application/zip' }));
            const zone = document.querySelector('.drop');
            zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
            """;

    /**
     * Imports a zip (dropped on the drop zone, or through the file input) and, when asked, deploys it from the
     * import's answer; returns once the deployment SUCCEEDED.
     */
    static void importZip(String app, Map<String, String> files, String shotName, boolean drop, boolean deploy) throws Exception {
        Path zip = Files.createTempFile("console-export", ".zip");
        Files.write(zip, Exports.zip("export/", files));
        boolean large = Files.size(zip) > 4 * 1024 * 1024;
        assertEquals(files.containsKey("assets/data.txt"), large, "the large export is over 4 MiB, the others under");
        go("#/apps/" + app + "/import");
        WebElement input = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("zip-input")));
        if (drop) {
            ((JavascriptExecutor) driver).executeScript(DROP, java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(zip)), "shop.zip");
        } else {
            input.sendKeys(zip.toString());
        }
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> {
            assertTrue(d.findElements(By.cssSelector("main .error")).isEmpty(),
                    () -> "the import failed: " + d.findElement(By.cssSelector("main .error")).getText() + "; the browser logged " + errors());
            return !d.findElements(By.id("import-result")).isEmpty();
        });
        WebElement result = driver.findElement(By.id("import-result"));
        assertTrue(result.getText().contains("Commit"), result.getText());
        assertEquals("1", driver.findElement(By.id("upload-progress")).getDomProperty("value"));
        if (large) {
            // The presigned PUT went to the bucket's own origin: the import answers only once it got there.
            assertTrue(result.getText().contains("1 added") || result.getText().contains("added"), result.getText());
        }
        if (shotName != null) {
            shot(shotName);
        }
        Files.delete(zip);
        if (deploy) {
            deployFrom(result);
        }
    }

    /** Clicks the import answer's deploy button and waits on the deployment page until it SUCCEEDED. */
    static void deployFrom(WebElement importResult) {
        importResult.findElement(By.xpath(".//button[contains(., 'Deploy main')]")).click();
        new WebDriverWait(driver, Duration.ofMinutes(3)).until(d -> {
            String s = d.findElement(By.id("deployment-status")).getText();
            assertTrue(!s.equals("FAILED"), () -> "the deployment failed: " + d.findElement(By.tagName("main")).getText());
            return s.equals("SUCCEEDED");
        });
    }

    /** What the console logged so far; a visited site's own messages (its favicon …) are not the console's. */
    static final java.util.List<LogEntry> consoleErrors = new java.util.ArrayList<>();

    /** Opens a deployed site (the console's log entries are kept first, the site's dropped after). */
    static String headlineOf(String url) {
        consoleErrors.addAll(errors());
        driver.get(url);
        String text = visible(By.id("headline")).getText();
        errors();
        return text;
    }

    static List<LogEntry> errors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    }

    @Test
    void signInImportDeployOpenRollBackAuditSignOut() throws Exception {
        go("");
        WebElement token = visible(By.id("token"));
        // A wrong token: refused, said so, still on the sign-in form.
        token.sendKeys("slwt_" + "0".repeat(64));
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        assertTrue(visible(By.cssSelector("[role=alert]")).getText().contains("not valid"));
        List<LogEntry> refused = errors();
        assertTrue(refused.stream().allMatch(e -> e.getMessage().contains("401")), refused.toString());

        token = driver.findElement(By.id("token"));
        token.clear();
        token.sendKeys(slipway.runtime().adminToken() + Keys.ENTER); // by keyboard: the field submits its form
        visible(By.id("sign-out"));
        Object stored = ((JavascriptExecutor) driver).executeScript(
                "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie");
        assertEquals("{}{}", stored, "no token in storage, and the session cookie is HttpOnly");

        driver.findElement(By.id("app-name")).sendKeys("Console Shop");
        driver.findElement(By.xpath("//button[.='Create app']")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("#/apps/console-shop"));

        importZip("console-shop", site("First release"), "import", true, true);
        shot("deployment");
        String siteUrl = driver.findElement(By.id("deployment-url")).getText();
        assertEquals("First release", headlineOf(siteUrl));

        // A large export (over the 4 MiB a Lambda invocation takes inline) goes through a presigned PUT to the bucket.
        Map<String, String> large = new java.util.LinkedHashMap<>(site("Second release"));
        StringBuilder noise = new StringBuilder();
        java.util.Random random = new java.util.Random(19);
        while (noise.length() < 8_000_000) {
            noise.append(Long.toString(random.nextLong(), 36));
        }
        large.put("assets/data.txt", noise.toString());
        importZip("console-shop", large, null, false, false);

        // A folder, zipped in the browser: what its .gitignore names, node_modules and .git stay out of the commit.
        Path folder = Files.createTempDirectory("console-folder");
        Map<String, String> tree = new java.util.LinkedHashMap<>(site("Second release"));
        tree.put(".gitignore", "notes/\n*.log\n");
        tree.put("notes/todo.txt", "private\n");
        tree.put("debug.log", "noise\n");
        tree.put("node_modules/left-pad/index.js", "module.exports = 1;\n");
        tree.put("assets/app.js", "console.log('kept');\n");
        for (var e : tree.entrySet()) {
            Path f = folder.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
        }
        go("#/apps/console-shop/import");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("folder-input"))).sendKeys(folder.toString());
        assertTrue(visible(By.id("import-result")).getText().contains("Commit"));
        String head = dev.slipway.shared.json.Json.parse(slipway.api().json("GET", "/apps/console-shop/commits?limit=1", null).body())
                .at("/commits/0/sha").asText();
        String files = slipway.api().json("GET", "/apps/console-shop/commits/" + head + "/files", null).body();
        for (String kept : List.of("\"index.html\"", "\"style.css\"", "\".gitignore\"", "\"assets/app.js\"")) {
            assertTrue(files.contains("\"path\":" + kept), kept + " missing: " + files);
        }
        for (String left : List.of("notes/todo.txt", "debug.log", "node_modules", "assets/data.txt")) {
            assertTrue(!files.contains(left), left + " was imported: " + files);
        }
        // The folder's commit is the second release.
        deployFrom(driver.findElement(By.id("import-result")));
        assertEquals("Second release", headlineOf(siteUrl));

        // Roll back to the first release from the releases tab: reason, confirmation dialog.
        go("#/apps/console-shop/releases");
        visible(By.xpath("//button[.='Roll back to this']")).click();
        WebElement reason = visible(By.id("reason"));
        reason.sendKeys("the second release broke checkout");
        shot("rollback");
        driver.findElement(By.xpath("//dialog//button[.='Roll back']")).click();
        assertTrue(visible(By.cssSelector("p.notice")).getText().startsWith("Rolled back"));
        assertEquals("First release", headlineOf(siteUrl));

        go("#/apps/console-shop/audit");
        assertTrue(visible(By.id("audit-verify")).getText().startsWith("Chain verified"));
        String events = driver.findElement(By.id("audit-events")).getText();
        assertTrue(events.contains("rollback") && events.contains("the second release broke checkout"), events);
        shot("audit");

        // Production stays pinned after the rollback: unpin it, then promote the second release (no build).
        go("#/apps/console-shop");
        visible(By.xpath("//button[.='Unpin']")).click();
        visible(By.xpath("//button[.='Pin']"));
        go("#/apps/console-shop/releases");
        visible(By.xpath("//button[.='Promote']")).click();
        visible(By.xpath("//dialog//button[.='Promote']")).click();
        assertTrue(visible(By.cssSelector("p.notice")).getText().startsWith("Promoted"));
        assertEquals("Second release", headlineOf(siteUrl));

        // A preview of main: it goes live, gets protected (a share link, shown once), opens with it, is extended.
        go("#/apps/console-shop/previews");
        visible(By.id("pv-ref")).sendKeys("main" + Keys.ENTER);
        new WebDriverWait(driver, Duration.ofMinutes(2)).until(d -> d.findElements(By.cssSelector(".preview-status")).stream()
                .anyMatch(e -> e.getText().equals("live")));
        String expiry = driver.findElement(By.cssSelector(".preview-expiry")).getText();
        driver.findElement(By.xpath("//button[.='Protect']")).click();
        String share = visible(By.id("share-link")).getText();
        assertTrue(share.contains("--console-shop.localhost") && share.contains("?slipway_token="), share);
        driver.findElement(By.xpath("//button[.='Extend 3 days']")).click();
        wait.until(d -> !d.findElement(By.cssSelector(".preview-expiry")).getText().equals(expiry));
        shot("previews");
        assertEquals("Second release", headlineOf(share));

        // An environment variable: its name and scope are listed, its value never shown.
        go("#/apps/console-shop/environment");
        visible(By.id("env-name")).sendKeys("STRIPE_SECRET_KEY");
        driver.findElement(By.id("env-value")).sendKeys("sk_live_console_test_value");
        new Select(driver.findElement(By.id("env-scope"))).selectByVisibleText("production");
        driver.findElement(By.xpath("//button[.='Save']")).click();
        wait.until(d -> d.findElement(By.tagName("main")).getText().contains("STRIPE_SECRET_KEY"));
        String row = driver.findElement(By.xpath("//tr[td[1]='STRIPE_SECRET_KEY']")).getText();
        assertTrue(row.contains("production") && !row.contains("preview"), row);
        assertTrue(!driver.getPageSource().contains("sk_live_console_test_value"), "a value on the page");

        // A token: created (shown once), then revoked after a confirmation.
        go("#/tokens");
        visible(By.id("tok-name")).sendKeys("ci");
        new Select(driver.findElement(By.id("tok-role"))).selectByVisibleText("viewer");
        driver.findElement(By.id("tok-apps")).sendKeys("console-shop");
        driver.findElement(By.xpath("//button[.='Create token']")).click();
        assertTrue(visible(By.id("new-token")).getText().startsWith("slwt_"));
        driver.findElement(By.xpath("//tr[td[1]='ci']//button[.='Revoke']")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(d -> d.findElement(By.xpath("//tr[td[1]='ci']")).getText().contains("revoked"));

        // The database tab of an app without a link says so (the API answers that with a 404, which the browser logs).
        consoleErrors.addAll(errors());
        go("#/apps/console-shop/database");
        visible(By.xpath("//p[.='No database linked.']"));
        visible(By.id("db-url"));
        List<LogEntry> notLinked = errors();
        assertTrue(notLinked.stream().allMatch(e -> e.getMessage().contains("/database") && e.getMessage().contains("404")), notLinked.toString());

        go("#/apps/console-shop");
        visible(By.id("git-url"));
        assertTrue(driver.findElement(By.id("git-url")).getText().endsWith("/git/console-shop.git"));
        shot("app");
        // A phone-sized screen: one column, nothing wider than the viewport.
        driver.manage().window().setSize(new Dimension(390, 844));
        go("#/");
        visible(By.cssSelector("ul.cards li"));
        Object overflow = ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollWidth - window.innerWidth");
        assertTrue(((Number) overflow).intValue() <= 0, "the page scrolls sideways on a phone: " + overflow);
        shot("phone");

        driver.findElement(By.id("sign-out")).click();
        visible(By.id("token"));
        driver.navigate().refresh();
        visible(By.id("token"));
        consoleErrors.addAll(errors());
        assertEquals(List.of(), consoleErrors, "the browser console logged errors or warnings");
    }
}
