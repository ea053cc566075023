package dev.slipway.shared.apps;

import dev.slipway.shared.json.Json;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

import java.io.IOException;
import java.time.Instant;

/** The stored form of an {@link App} in the apps table (key: appId). */
@DynamoDbBean
public class AppItem {
    private String appId;
    private String name;
    private String packageManager;
    private String installCommand;
    private String buildCommand;
    private String outputDir;
    private String nodeVersion;
    private String registry;
    private String createdAt;
    private String updatedAt;
    private Long version;
    private String framework;
    private String detectedJson;
    private Integer retainReleases;

    @DynamoDbPartitionKey
    public String getAppId() { return appId; }
    public void setAppId(String v) { appId = v; }
    public String getName() { return name; }
    public void setName(String v) { name = v; }
    public String getPackageManager() { return packageManager; }
    public void setPackageManager(String v) { packageManager = v; }
    public String getInstallCommand() { return installCommand; }
    public void setInstallCommand(String v) { installCommand = v; }
    public String getBuildCommand() { return buildCommand; }
    public void setBuildCommand(String v) { buildCommand = v; }
    public String getOutputDir() { return outputDir; }
    public void setOutputDir(String v) { outputDir = v; }
    public String getNodeVersion() { return nodeVersion; }
    public void setNodeVersion(String v) { nodeVersion = v; }
    public String getRegistry() { return registry; }
    public void setRegistry(String v) { registry = v; }
    public String getCreatedAt() { return createdAt; }
    public void setCreatedAt(String v) { createdAt = v; }
    public String getUpdatedAt() { return updatedAt; }
    public void setUpdatedAt(String v) { updatedAt = v; }
    public String getFramework() { return framework; }
    public void setFramework(String v) { framework = v; }
    public String getDetectedJson() { return detectedJson; }
    public void setDetectedJson(String v) { detectedJson = v; }
    public Integer getRetainReleases() { return retainReleases; }
    public void setRetainReleases(Integer v) { retainReleases = v; }
    public Long getVersion() { return version; }
    public void setVersion(Long v) { version = v; }

    static AppItem from(App app) {
        AppItem i = new AppItem();
        i.setAppId(app.id());
        i.setName(app.name());
        BuildSettings b = app.build();
        i.setPackageManager(b.packageManager());
        i.setInstallCommand(b.installCommand());
        i.setBuildCommand(b.buildCommand());
        i.setOutputDir(b.outputDir());
        i.setNodeVersion(b.nodeVersion());
        i.setRegistry(b.registry());
        i.setCreatedAt(app.createdAt().toString());
        i.setUpdatedAt(app.updatedAt().toString());
        i.setVersion(app.version());
        i.setRetainReleases(app.retainReleases());
        i.setFramework(app.framework());
        i.setDetectedJson(app.detected().isEmpty() ? null : Json.write(app.detected()));
        return i;
    }

    App toApp() {
        return new App(appId, name,
                new BuildSettings(packageManager, installCommand, buildCommand, outputDir, nodeVersion, registry),
                framework, detected(),
                Instant.parse(createdAt), Instant.parse(updatedAt), version, retainReleases);
    }

    private BuildSettings detected() {
        if (detectedJson == null) {
            return BuildSettings.NONE;
        }
        try {
            return Json.MAPPER.readValue(detectedJson, BuildSettings.class);
        } catch (IOException e) {
            throw new IllegalStateException("stored build settings of " + appId + " are not readable", e);
        }
    }
}
