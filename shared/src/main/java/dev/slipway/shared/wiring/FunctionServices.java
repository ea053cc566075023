package dev.slipway.shared.wiring;

import dev.slipway.shared.apps.AppService;
import dev.slipway.shared.apps.AppStore;
import dev.slipway.shared.apps.DynamoDbAppStore;
import dev.slipway.shared.audit.AuditLedger;
import dev.slipway.shared.auth.AdminAuth;
import dev.slipway.shared.auth.AdminTokenHashSource;
import dev.slipway.shared.auth.Authenticator;
import dev.slipway.shared.auth.FailedAuthLimit;
import dev.slipway.shared.auth.SessionService;
import dev.slipway.shared.auth.SessionStore;
import dev.slipway.shared.auth.TokenService;
import dev.slipway.shared.auth.TokenStore;
import dev.slipway.shared.aws.AwsClients;
import dev.slipway.shared.aws.S3Clients;
import dev.slipway.shared.config.Config;
import dev.slipway.shared.config.EnvNames;
import dev.slipway.shared.idempotency.DynamoDbIdempotencyStore;
import dev.slipway.shared.idempotency.IdempotencyStore;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Clock;

/**
 * What every function jar's composition root has: the configuration, the AWS clients, the edge's
 * admin check and Idempotency-Key store, the audit ledger and the apps. Each jar's root extends it
 * with its own stores and services; every part is built once per root (one per Lambda container)
 * and only when a handler asks for it. Handlers take what they need in their constructors, so a
 * missing variable fails the container's start rather than a request.
 */
public class FunctionServices {
    private final Config config;
    private final AwsClients aws;
    private final Clock clock = Clock.systemUTC();
    private final Once<AdminAuth> adminAuth = new Once<>();
    private final Once<Authenticator> authenticator = new Once<>();
    private final Once<TokenService> tokens = new Once<>();
    private final Once<SessionService> sessions = new Once<>();
    private final Once<FailedAuthLimit> failedAuthLimit = new Once<>();
    private final Once<IdempotencyStore> idempotency = new Once<>();
    private final Once<AuditLedger> ledger = new Once<>();
    private final Once<AppStore> appStore = new Once<>();
    private final Once<AppService> apps = new Once<>();
    private final Once<S3Client> s3 = new Once<>();

    protected FunctionServices(Config config) {
        this.config = config;
        this.aws = new AwsClients(config);
    }

    public Config config() {
        return config;
    }

    public AwsClients aws() {
        return aws;
    }

    public Clock clock() {
        return clock;
    }

    /** The bootstrap admin token's check. */
    public AdminAuth adminAuth() {
        return adminAuth.get(() -> new AdminAuth(AdminTokenHashSource.from(config, aws::ssm)));
    }

    /** The token check every authenticated route applies (the route's role comes from RouteAccess). */
    public Authenticator authenticator() {
        return authenticator.get(() -> new Authenticator(adminAuth(), tokens(), sessions(), failedAuthLimit()));
    }

    /** Failed authentications per source (tokens, hook URLs, webhook signatures). */
    public FailedAuthLimit failedAuthLimit() {
        return failedAuthLimit.get(() -> new FailedAuthLimit(aws.dynamoDb(), config.require(EnvNames.ACCESS_TABLE),
                config.get(EnvNames.FAILED_AUTH_PER_MINUTE).map(Integer::parseInt).orElse(FailedAuthLimit.DEFAULT_PER_MINUTE), clock));
    }

    /** Scoped tokens (the /tokens API and their check). */
    public TokenService tokens() {
        return tokens.get(() -> new TokenService(new TokenStore(aws.dynamoDbEnhanced(), aws.dynamoDb(),
                config.require(EnvNames.ACCESS_TABLE), ledger()), clock));
    }

    /** Console sessions (sign-in with a token, the cookie's check). */
    public SessionService sessions() {
        return sessions.get(() -> new SessionService(new SessionStore(aws.dynamoDbEnhanced(), config.require(EnvNames.ACCESS_TABLE), ledger()),
                tokens(), clock));
    }

    public IdempotencyStore idempotency() {
        return idempotency.get(() -> DynamoDbIdempotencyStore.from(config, aws));
    }

    public AuditLedger ledger() {
        return ledger.get(() -> new AuditLedger(aws.dynamoDbEnhanced(), config.require(EnvNames.AUDIT_TABLE)));
    }

    public AppStore appStore() {
        return appStore.get(() -> new DynamoDbAppStore(aws.dynamoDbEnhanced(), config.require(EnvNames.APPS_TABLE), ledger()));
    }

    public AppService apps() {
        return apps.get(() -> new AppService(appStore(), clock));
    }

    public S3Client s3() {
        return s3.get(() -> S3Clients.client(aws));
    }
}
