package dev.slipway.shared.deploy.server.lambda;

import dev.slipway.shared.config.Config;
import software.amazon.awssdk.services.lambda.model.VpcConfig;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where an app's server function runs: outside any VPC (internet egress, as Lambda gives it), unless the stack has its
 * own database (template.yaml CreateDatabase) and the app's linked database is that one — then in the database's VPC
 * (its private subnets, with the client security group the cluster admits), since the cluster has no public address.
 * The template sets both variables only under HasStackDatabase (empty otherwise: every app stays outside).
 */
public final class AppServerNetwork {
    public static final String SUBNET_IDS = "APP_SERVER_SUBNET_IDS";
    public static final String SECURITY_GROUP_IDS = "APP_SERVER_SECURITY_GROUP_IDS";

    private final List<String> subnetIds;
    private final List<String> securityGroupIds;
    private final Predicate<String> onStackDatabase;

    /**
     * @param onStackDatabase whether an app's linked database is the stack's own (asked only when the stack has one)
     */
    public AppServerNetwork(List<String> subnetIds, List<String> securityGroupIds, Predicate<String> onStackDatabase) {
        if (subnetIds.isEmpty() != securityGroupIds.isEmpty()) {
            throw new IllegalArgumentException("the database VPC needs both its subnets and its security group");
        }
        this.subnetIds = List.copyOf(subnetIds);
        this.securityGroupIds = List.copyOf(securityGroupIds);
        this.onStackDatabase = onStackDatabase;
    }

    /** No stack database: every app's server outside any VPC. */
    public static AppServerNetwork none() {
        return new AppServerNetwork(List.of(), List.of(), appId -> false);
    }

    public static AppServerNetwork from(Config config, Predicate<String> onStackDatabase) {
        return new AppServerNetwork(ids(config.get(SUBNET_IDS).orElse("")), ids(config.get(SECURITY_GROUP_IDS).orElse("")),
                onStackDatabase);
    }

    private static List<String> ids(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Whether the app's server runs in the database's VPC. */
    public boolean inDatabaseVpc(String appId) {
        return !subnetIds.isEmpty() && onStackDatabase.test(appId);
    }

    /**
     * The function's VpcConfig for {@link #inDatabaseVpc}: the subnets and group, or empty lists, which is how Lambda
     * takes a function out of a VPC again (a configuration without the field would keep the old one).
     */
    public VpcConfig vpcConfig(boolean inVpc) {
        return inVpc ? VpcConfig.builder().subnetIds(subnetIds).securityGroupIds(securityGroupIds).build()
                : VpcConfig.builder().subnetIds(List.of()).securityGroupIds(List.of()).build();
    }

    @Override
    public String toString() {
        return "AppServerNetwork[subnets=" + subnetIds + ", groups=" + securityGroupIds + "]";
    }
}
