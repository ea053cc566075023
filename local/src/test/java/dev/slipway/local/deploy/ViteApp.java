package dev.slipway.local.deploy;

import dev.slipway.local.EmbeddedEngines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small real Vite + React app, as an AI builder would export it: written by the test, with the
 * committed lockfile of the build runner's fixture (so {@code npm ci} installs exact versions).
 */
public final class ViteApp {
    private ViteApp() {
    }

    public static Map<String, String> files(String headline) {
        Path fixture = EmbeddedEngines.repoRoot().resolve("shared/src/test/resources/fixtures/vite-react");
        Map<String, String> files = new LinkedHashMap<>();
        try {
            files.put("package.json", Files.readString(fixture.resolve("package.json")));
            files.put("package-lock.json", Files.readString(fixture.resolve("package-lock.json")));
            files.put("vite.config.js", Files.readString(fixture.resolve("vite.config.js")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.put("index.html", """
                <!doctype html>
                <html lang="en">
                  <head><meta charset="UTF-8" /><title>Shop</title></head>
                  <body><div id="root"></div><script type="module" src="/src/main.jsx"></script></body>
                </html>
                """);
        // A client-side router in miniature: /products/42 is a deep link only the SPA understands.
        files.put("src/main.jsx", """
                import { createRoot } from 'react-dom/client';
                import './style.css';

                function Page() {
                  const product = location.pathname.match(/^\\/products\\/(\\d+)/);
                  return <main>
                    <h1>%s</h1>
                    <p>{import.meta.env.VITE_GREETING ?? 'no greeting'}</p>
                    {product ? <p>product {product[1]}</p> : <p>home</p>}
                  </main>;
                }

                createRoot(document.getElementById('root')).render(<Page />);
                """.formatted(headline));
        files.put("src/style.css", "main { font-family: system-ui; color: #123456; }\n");
        files.put("public/robots.txt", "User-agent: *\nAllow: /\n");
        files.put(".env", "VITE_GREETING=Hello from the owner's own cloud\n");
        return files;
    }
}
