package dev.slipway.local.gateway;

import com.amazonaws.services.lambda.runtime.Context;
import dev.slipway.local.template.Intrinsics;
import dev.slipway.local.template.SamTemplate;
import dev.slipway.local.template.SamTemplate.FunctionSpec;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The template's functions, running in this JVM: each handler class is created once (like a warm
 * Lambda container) with the environment template.yaml gives it, resolved for the laptop, plus
 * what Lambda itself would add (region, credentials) and the local engines' endpoints.
 */
public final class LocalFunctions {
    private final Map<String, FunctionSpec> specs = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> environments = new LinkedHashMap<>();
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    private volatile Consumer<String> beforeInvoke = id -> { };

    public LocalFunctions(SamTemplate template, Intrinsics intrinsics, Map<String, String> runtimeEnvironment) {
        for (FunctionSpec f : template.functions()) {
            Map<String, String> env = new LinkedHashMap<>();
            f.environment().forEach((k, v) -> env.put(k, intrinsics.resolve(v)));
            env.put("AWS_LAMBDA_FUNCTION_NAME", f.logicalId());
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(f.memoryMb()));
            env.putAll(runtimeEnvironment);
            specs.put(f.logicalId(), f);
            environments.put(f.logicalId(), Map.copyOf(env));
        }
    }

    public Map<String, FunctionSpec> specs() {
        return specs;
    }

    public Map<String, String> environment(String functionId) {
        return environments.get(functionId);
    }

    /** Creates every handler now, so the first request does not pay for it. */
    public void warmAll() {
        // In parallel: each handler builds its own clients, as each Lambda function does; class loading dominates.
        specs.keySet().parallelStream().forEach(this::instance);
    }

    /** Runs before each invocation with the function's id: engines that start on first need (Postgres) start here. */
    public void beforeInvoke(Consumer<String> hook) {
        this.beforeInvoke = hook;
    }

    /** Starts what the function needs before it runs (the hook of {@link #beforeInvoke}), for code that runs its way without an invocation. */
    public void prepare(String functionId) {
        beforeInvoke.accept(functionId);
    }

    public Object invoke(String functionId, Object event) throws Throwable {
        prepare(functionId);
        FunctionSpec spec = specs.get(functionId);
        Instance i = instance(functionId);
        Context ctx = new LocalLambdaContext(UUID.randomUUID().toString(), functionId, spec.memoryMb(), spec.timeoutSeconds());
        try {
            return i.method.invoke(i.handler, event, ctx);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Instance instance(String functionId) {
        return instances.computeIfAbsent(functionId, id -> {
            FunctionSpec spec = specs.get(id);
            try {
                Class<?> type = Class.forName(spec.handlerClass());
                Object handler;
                try {
                    Constructor<?> withEnv = type.getConstructor(Map.class);
                    handler = withEnv.newInstance(environments.get(id));
                } catch (NoSuchMethodException e) {
                    throw new IllegalStateException(spec.handlerClass()
                            + " needs a public constructor taking the environment (Map<String,String>) to run locally");
                }
                Method method = findHandlerMethod(type, spec.handlerMethod());
                return new Instance(handler, method);
            } catch (ReflectiveOperationException e) {
                Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
                throw new IllegalStateException("cannot start function " + id + " (" + spec.handler() + "): " + cause, cause);
            }
        });
    }

    public static Method findHandlerMethod(Class<?> type, String name) throws NoSuchMethodException {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == 2
                    && Context.class.isAssignableFrom(m.getParameterTypes()[1]) && !m.isBridge()) {
                return m;
            }
        }
        throw new NoSuchMethodException(type.getName() + "::" + name + "(event, Context)");
    }

    private record Instance(Object handler, Method method) {
    }
}
