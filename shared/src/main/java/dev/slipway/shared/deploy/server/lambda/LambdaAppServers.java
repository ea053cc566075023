package dev.slipway.shared.deploy.server.lambda;

import dev.slipway.shared.deploy.TransientStepException;
import dev.slipway.shared.deploy.model.Release;
import dev.slipway.shared.deploy.model.ServerBundle;
import dev.slipway.shared.deploy.routing.RouteEntry;
import dev.slipway.shared.deploy.routing.Router;
import dev.slipway.shared.deploy.routing.ServerRoute;
import dev.slipway.shared.deploy.server.hosting.AppServers;
import dev.slipway.shared.env.EnvScope;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeMode;
import software.amazon.awssdk.services.lambda.model.PreconditionFailedException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.VpcConfig;
import software.amazon.awssdk.services.lambda.model.VpcConfigResponse;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * App servers in AWS: one Lambda function and one execution role per app (created on the app's
 * first full-stack release), a published version per release, and per release and scope an alias
 * with a function URL (auth NONE, response streaming) that only answers the edge, which adds the
 * app's origin secret (kept in the function's environment, never given to the app's server). The
 * edge's router entries carry the URL's host ({@link ServerRoute}), so promote and rollback stay one
 * KeyValueStore write; nothing here runs on the request path.
 *
 * <p>Publishing twice is safe: every step finds what an earlier attempt made. Two releases of one
 * app publishing at once meet at the function's revision id; the loser retries the step
 * ({@link TransientStepException}).
 *
 * <p>An app whose linked database is the stack's own runs in that database's VPC ({@link AppServerNetwork}); each new
 * version's configuration says so (or takes the function out again) before it is published, and the role's policy
 * follows ({@link AppRolePolicy}).
 */
public final class LambdaAppServers implements AppServers {
    /** The Lambda Node runtimes servers can run on. */
    public static final Set<Integer> NODE_MAJORS = Set.of(20, 22, 24);
    static final String SECRET_VARIABLE = "SLIPWAY_ORIGIN_SECRET";
    static final String ENV_PREFIX_VARIABLE = "SLIPWAY_ENV_PREFIX";
    private static final Duration SMOKE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ROLE_PROPAGATION = Duration.ofSeconds(40);
    private static final int MEMORY_MB = 1024;
    private static final int TIMEOUT_SECONDS = 30;

    private final LambdaClient lambda;
    private final IamClient iam;
    private final S3Client s3;
    private final Router edge;
    private final AppServerSettings settings;
    private final AppServerNetwork network;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, ServerRoute> routes = new ConcurrentHashMap<>();

    public LambdaAppServers(LambdaClient lambda, IamClient iam, S3Client s3, Router edge, AppServerSettings settings,
                            AppServerNetwork network) {
        this.lambda = lambda;
        this.network = network;
        this.iam = iam;
        this.s3 = s3;
        this.edge = edge;
        this.settings = settings;
    }

    @Override
    public void publish(Release release, EnvScope scope) throws ServerCheckFailed {
        if (runnable(release)) {
            smokeCheck(route(release, scope), releaseHost(release));
        }
    }

    @Override
    public void publishPreview(Release release, String preview) throws ServerCheckFailed {
        if (runnable(release)) {
            smokeCheck(route(release, preview), preview + "--" + release.appId());
        }
    }

    /** Whether the release has a server (and its Node is a Lambda runtime); its own host is pointed at it first. */
    private boolean runnable(Release release) throws ServerCheckFailed {
        ServerBundle server = release.server();
        if (server == null) {
            return false;
        }
        if (!NODE_MAJORS.contains(server.nodeMajor())) {
            throw new ServerCheckFailed("Node " + server.nodeMajor() + " is not a Lambda runtime: the app's server needs Node 20, 22 or 24"
                    + " (set engines.node or .nvmrc)", "");
        }
        if (edge.lookup(releaseHost(release)).isEmpty()) {
            // A release's own host is public and tokenless: it runs with preview values, as locally.
            edge.point(releaseHost(release), RouteEntry.of(release.id()).withServer(route(release, EnvScope.PREVIEW)));
        }
        return true;
    }

    private static String releaseHost(Release release) {
        return release.id() + "--" + release.appId();
    }

    /** The edge's way to the release's server in a scope: its alias's function URL, made when missing. */
    public ServerRoute route(Release release, EnvScope scope) {
        return route(release, AppFunctionNames.alias(scope, release.id()), scope.id());
    }

    /** The edge's way to one preview's own server of the release ({@code pv-<preview>-<release>}), made when missing. */
    public ServerRoute route(Release release, String preview) {
        String alias = AppFunctionNames.previewAlias(preview, release.id());
        if (!routes.containsKey(release.appId() + "/" + alias) && aliasVersion(settings.names(release.appId()), alias).isEmpty()) {
            // its role must read the previews' values (a role made before preview aliases lacks that path)
            ensureRole(settings.names(release.appId()), network.inDatabaseVpc(release.appId()));
        }
        return route(release, alias, "preview " + preview);
    }

    private ServerRoute route(Release release, String alias, String what) {
        return routes.computeIfAbsent(release.appId() + "/" + alias, k -> {
            AppFunctionNames names = settings.names(release.appId());
            String version = aliasVersion(names, alias).orElseGet(() -> {
                String v = otherScopesVersion(names, release.id(), null).orElseGet(() -> publishVersion(release, names));
                try {
                    lambda.createAlias(r -> r.functionName(names.function()).name(alias).functionVersion(v)
                            .description("release " + release.id() + ", " + what));
                } catch (ResourceConflictException e) {
                    // made by an earlier attempt
                }
                return v;
            });
            String host = functionUrlHost(names, alias);
            String secret = lambda.getFunctionConfiguration(r -> r.functionName(names.function()).qualifier(version))
                    .environment().variables().get(SECRET_VARIABLE);
            return new ServerRoute(release.server().framework(), host, secret);
        });
    }

    @Override
    public void remove(String appId, String releaseId) {
        AppFunctionNames names = settings.names(appId);
        java.util.Set<String> versions = new java.util.TreeSet<>();
        for (EnvScope scope : EnvScope.values()) {
            aliasVersion(names, AppFunctionNames.alias(scope, releaseId)).ifPresent(versions::add);
        }
        // the scopes' aliases, and every preview's own of this release (a preview removed by a killed run included)
        for (AliasConfiguration a : aliases(names)) {
            if (a.name().endsWith("-" + releaseId) || versions.contains(a.functionVersion())) {
                versions.add(a.functionVersion());
                removeAlias(names, appId, a.name());
            }
        }
        for (String v : versions) {
            ignoreMissing(() -> lambda.deleteFunction(r -> r.functionName(names.function()).qualifier(v)));
        }
        edge.remove(releaseId + "--" + appId);
        s3.deleteObject(r -> r.bucket(settings.bucket()).key(names.codeKey(releaseId)));
    }

    @Override
    public void removePreview(String appId, String preview) {
        AppFunctionNames names = settings.names(appId);
        for (AliasConfiguration a : aliases(names)) {
            if (AppFunctionNames.isPreviewAlias(a.name(), preview)) {
                removeAlias(names, appId, a.name());
            }
        }
    }

    private void removeAlias(AppFunctionNames names, String appId, String alias) {
        routes.remove(appId + "/" + alias);
        ignoreMissing(() -> lambda.deleteFunctionUrlConfig(r -> r.functionName(names.function()).qualifier(alias)));
        ignoreMissing(() -> lambda.deleteAlias(r -> r.functionName(names.function()).name(alias)));
    }

    /** The app function's aliases (none when it has no function yet). */
    private java.util.List<AliasConfiguration> aliases(AppFunctionNames names) {
        try {
            return lambda.listAliasesPaginator(r -> r.functionName(names.function())).aliases().stream().toList();
        } catch (ResourceNotFoundException e) {
            return java.util.List.of();
        }
    }

    private Optional<String> aliasVersion(AppFunctionNames names, String alias) {
        try {
            return Optional.of(lambda.getAlias(r -> r.functionName(names.function()).name(alias)).functionVersion());
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The version another alias of the release already has (each release is published once). */
    private Optional<String> otherScopesVersion(AppFunctionNames names, String releaseId, EnvScope scope) {
        for (EnvScope other : EnvScope.values()) {
            if (other != scope) {
                Optional<String> v = aliasVersion(names, AppFunctionNames.alias(other, releaseId));
                if (v.isPresent()) {
                    return v;
                }
            }
        }
        return Optional.empty();
    }

    /** Stages the release's code and publishes it as a new version of the app's function. */
    private String publishVersion(Release release, AppFunctionNames names) {
        boolean inVpc = network.inDatabaseVpc(release.appId());
        String codeKey = names.codeKey(release.id());
        stageCode(release, codeKey);
        GetFunctionConfigurationResponse current;
        try {
            current = lambda.getFunctionConfiguration(r -> r.functionName(names.function()));
        } catch (ResourceNotFoundException e) {
            ensureRole(names, inVpc);
            return createFunction(release, names, codeKey, inVpc);
        }
        // Leaving the VPC: the role keeps the network rights Lambda manages the function's interfaces with while it
        // takes the function out; the next publish drops them.
        ensureRole(names, inVpc || inAVpc(current.vpcConfig()));
        String secret = current.environment() == null ? null : current.environment().variables().get(SECRET_VARIABLE);
        Map<String, String> env = environment(names, secret == null ? newSecret() : secret);
        try {
            lambda.updateFunctionCode(r -> r.functionName(names.function()).s3Bucket(settings.bucket())
                    .s3Key(codeKey).revisionId(current.revisionId()));
            lambda.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(names.function()));
            try {
                lambda.updateFunctionConfiguration(configurationRequest(release, names, env, network.vpcConfig(inVpc),
                        lambda.getFunctionConfiguration(q -> q.functionName(names.function())).revisionId()));
            } catch (InvalidParameterValueException e) {
                // the role's new network rights take seconds to reach Lambda (IAM is eventually consistent)
                if (inVpc && rightsNotYetVisible(e)) {
                    throw new TransientStepException("the role of " + release.appId() + " does not have its network rights yet; trying again");
                }
                throw e;
            }
            lambda.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(names.function()));
            String latest = lambda.getFunctionConfiguration(q -> q.functionName(names.function())).revisionId();
            return lambda.publishVersion(r -> r.functionName(names.function()).revisionId(latest)
                    .description("release " + release.id())).version();
        } catch (PreconditionFailedException e) {
            throw new TransientStepException("another release of " + release.appId() + " is being published; trying again");
        }
    }

    private String createFunction(Release release, AppFunctionNames names, String codeKey, boolean inVpc) {
        CreateFunctionRequest request = createRequest(release, names, codeKey, environment(names, newSecret()),
                inVpc ? network.vpcConfig(true) : null);
        long deadline = System.nanoTime() + ROLE_PROPAGATION.toNanos();
        while (true) {
            try {
                String version = lambda.createFunction(request).version();
                lambda.waiter().waitUntilPublishedVersionActive(r -> r.functionName(names.function()).qualifier(version));
                return version;
            } catch (InvalidParameterValueException e) {
                // A new role (or its new network rights) takes seconds before Lambda may assume (or use) it.
                if (System.nanoTime() > deadline || !(String.valueOf(e.getMessage()).contains("cannot be assumed") || rightsNotYetVisible(e))) {
                    throw e;
                }
                sleep(Duration.ofSeconds(3));
            } catch (ResourceConflictException e) {
                throw new TransientStepException("the function of " + release.appId() + " is being created by another deployment; trying again");
            }
        }
    }

    /** A new app function (its first version published with it), in the database's VPC when {@code vpc} is given. */
    static CreateFunctionRequest createRequest(Release release, AppFunctionNames names, String codeKey, Map<String, String> env,
                                               VpcConfig vpc) {
        return CreateFunctionRequest.builder().functionName(names.function()).runtime(runtime(release))
                .handler(FunctionZip.HANDLER).role(names.roleArn()).memorySize(MEMORY_MB).timeout(TIMEOUT_SECONDS)
                .architectures(Architecture.X86_64).code(c -> c.s3Bucket(names.settings().bucket()).s3Key(codeKey))
                .environment(e -> e.variables(env)).vpcConfig(vpc).publish(true)
                .description("Slipway app " + release.appId() + ": its releases' servers")
                .tags(Map.of("slipway:app", release.appId())).build();
    }

    /** The existing function's configuration for the release's version: always with its VpcConfig, empty to leave a VPC. */
    static UpdateFunctionConfigurationRequest configurationRequest(Release release, AppFunctionNames names, Map<String, String> env,
                                                                   VpcConfig vpc, String revisionId) {
        return UpdateFunctionConfigurationRequest.builder().functionName(names.function()).runtime(runtime(release))
                .handler(FunctionZip.HANDLER).role(names.roleArn()).memorySize(MEMORY_MB).timeout(TIMEOUT_SECONDS)
                .environment(e -> e.variables(env)).vpcConfig(vpc).revisionId(revisionId).build();
    }

    /** Whether a function's current configuration places it in a VPC. */
    static boolean inAVpc(VpcConfigResponse vpc) {
        return vpc != null && vpc.hasSubnetIds() && !vpc.subnetIds().isEmpty();
    }

    private static String runtime(Release release) {
        return "nodejs" + release.server().nodeMajor() + ".x";
    }

    /** Lambda's answer when the role lacks (or does not yet show) the network-interface rights a VPC function needs. */
    private static boolean rightsNotYetVisible(InvalidParameterValueException e) {
        return String.valueOf(e.getMessage()).contains("does not have permissions to call");
    }

    private Map<String, String> environment(AppFunctionNames names, String secret) {
        return Map.of(SECRET_VARIABLE, secret, ENV_PREFIX_VARIABLE, names.envPath());
    }

    private void ensureRole(AppFunctionNames names, boolean inVpc) {
        try {
            iam.getRole(r -> r.roleName(names.role()));
        } catch (NoSuchEntityException e) {
            try {
                iam.createRole(r -> r.roleName(names.role()).path(settings.rolePath())
                        .assumeRolePolicyDocument(AppRolePolicy.trust()).permissionsBoundary(settings.boundaryArn())
                        .description("Runs the server of Slipway app " + names.appId()));
            } catch (software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException raced) {
                // another deployment of the app made it
            }
        }
        iam.putRolePolicy(r -> r.roleName(names.role()).policyName(AppRolePolicy.INLINE_NAME)
                .policyDocument(AppRolePolicy.runtime(names, inVpc)));
    }

    private void stageCode(Release release, String codeKey) {
        Path work = Path.of(System.getProperty("java.io.tmpdir"));
        Path zip = null;
        try {
            zip = Files.createTempFile(work, "function", ".zip");
            try (InputStream bundle = s3.getObject(r -> r.bucket(settings.bucket()).key(ServerBundle.key(release.appId(), release.id())))) {
                FunctionZip.build(bundle, release.server(), work, zip);
            }
            s3.putObject(r -> r.bucket(settings.bucket()).key(codeKey).contentType("application/zip"), RequestBody.fromFile(zip));
        } catch (IOException e) {
            throw new UncheckedIOException("staging the server of release " + release.id(), e);
        } finally {
            if (zip != null) {
                try {
                    Files.deleteIfExists(zip);
                } catch (IOException ignored) {
                    // /tmp goes with the environment
                }
            }
        }
    }

    /** The alias's function URL (made with its public-invoke permissions when missing); its host. */
    private String functionUrlHost(AppFunctionNames names, String alias) {
        String url;
        try {
            url = lambda.getFunctionUrlConfig(r -> r.functionName(names.function()).qualifier(alias)).functionUrl();
        } catch (ResourceNotFoundException e) {
            try {
                url = lambda.createFunctionUrlConfig(r -> r.functionName(names.function()).qualifier(alias)
                        .authType(FunctionUrlAuthType.NONE).invokeMode(InvokeMode.RESPONSE_STREAM)).functionUrl();
            } catch (ResourceConflictException raced) {
                url = lambda.getFunctionUrlConfig(r -> r.functionName(names.function()).qualifier(alias)).functionUrl();
            }
        }
        // Auth NONE still needs both statements; the adapter refuses callers without the origin secret.
        ignoreConflict(() -> lambda.addPermission(r -> r.functionName(names.function()).qualifier(alias)
                .statementId("url-" + alias).action("lambda:InvokeFunctionUrl").principal("*")
                .functionUrlAuthType(FunctionUrlAuthType.NONE)));
        ignoreConflict(() -> lambda.addPermission(r -> r.functionName(names.function()).qualifier(alias)
                .statementId("invoke-" + alias).action("lambda:InvokeFunction").principal("*").invokedViaFunctionUrl(true)));
        return URI.create(url).getHost();
    }

    /** The server's home page through its function URL, as the edge would ask: 2xx or a redirect within 30 s. */
    private void smokeCheck(ServerRoute route, String releaseHost) throws ServerCheckFailed {
        long deadline = System.nanoTime() + SMOKE_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://" + route.host() + "/"))
                        .timeout(SMOKE_TIMEOUT).header(ServerRoute.ORIGIN_HEADER, route.originSecret())
                        .header("x-forwarded-host", releaseHost).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (AppServers.homePageAnswers(r.statusCode())) {
                    return;
                }
                String body = r.body() == null ? "" : r.body();
                throw new ServerCheckFailed("the server answered HTTP " + r.statusCode() + " to GET /",
                        body.substring(0, Math.min(body.length(), 4000)));
            } catch (IOException e) {
                last = e.getMessage();
                sleep(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new ServerCheckFailed("the server did not answer GET / within " + SMOKE_TIMEOUT.toSeconds() + " s: " + last, "");
    }

    private String newSecret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void ignoreMissing(Runnable call) {
        try {
            call.run();
        } catch (ResourceNotFoundException e) {
            // already gone
        }
    }

    private static void ignoreConflict(Runnable call) {
        try {
            call.run();
        } catch (ResourceConflictException e) {
            // made by an earlier attempt
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
