package dev.slipway.local.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the intrinsic functions template.yaml uses in values the local runtime reads
 * (environment variables, policy ARNs): Ref, Fn::GetAtt, Fn::Sub, Fn::Join. Logical ids become
 * the local physical names, pseudo parameters the local account.
 */
public final class Intrinsics {
    public static final String ACCOUNT = "000000000000";
    public static final String STACK = "slipway-local";
    private static final Pattern SUB = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private final SamTemplate template;
    private final Map<String, String> parameters;
    private final LocalNames names;
    private final String region;

    public Intrinsics(SamTemplate template, Map<String, String> parameters, LocalNames names, String region) {
        this.template = template;
        this.parameters = parameters;
        this.names = names;
        this.region = region;
    }

    public String resolve(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        Map<String, Object> fn = SamTemplate.map(value);
        if (fn.size() != 1) {
            throw unsupported(value);
        }
        var e = fn.entrySet().iterator().next();
        return switch (e.getKey()) {
            case "Ref" -> ref(String.valueOf(e.getValue()));
            case "Fn::GetAtt" -> {
                List<?> parts = (List<?>) e.getValue();
                yield getAtt(String.valueOf(parts.get(0)), String.valueOf(parts.get(1)));
            }
            case "Fn::Sub" -> sub(e.getValue());
            case "Fn::Join" -> {
                List<?> args = (List<?>) e.getValue();
                List<String> items = new ArrayList<>();
                for (Object o : (List<?>) args.get(1)) {
                    items.add(resolve(o));
                }
                yield String.join(String.valueOf(args.get(0)), items);
            }
            case "Fn::If" -> {
                List<?> args = (List<?>) e.getValue();
                yield condition(String.valueOf(args.get(0))) ? resolve(args.get(1)) : resolve(args.get(2));
            }
            default -> throw unsupported(value);
        };
    }

    /** A template condition: Fn::Equals, Fn::Not, Fn::And, Fn::Or over resolvable values. */
    public boolean condition(String name) {
        Object conditions = template.document().get("Conditions");
        if (conditions == null || !SamTemplate.map(conditions).containsKey(name)) {
            throw new IllegalArgumentException("no condition " + name + " in template.yaml");
        }
        return evaluate(SamTemplate.map(conditions).get(name));
    }

    private boolean evaluate(Object expr) {
        Map<String, Object> fn = SamTemplate.map(expr);
        var e = fn.entrySet().iterator().next();
        List<?> args = e.getValue() instanceof List<?> l ? l : List.of(e.getValue());
        return switch (e.getKey()) {
            case "Fn::Equals" -> Objects.equals(resolve(args.get(0)), resolve(args.get(1)));
            case "Fn::Not" -> !evaluate(args.get(0));
            case "Fn::And" -> args.stream().allMatch(this::evaluate);
            case "Fn::Or" -> args.stream().anyMatch(this::evaluate);
            case "Condition" -> condition(String.valueOf(e.getValue()));
            default -> throw unsupported(expr);
        };
    }

    String ref(String name) {
        switch (name) {
            case "AWS::Region":
                return region;
            case "AWS::AccountId":
                return ACCOUNT;
            case "AWS::StackName":
                return STACK;
            case "AWS::Partition":
                return "aws";
            case "AWS::URLSuffix":
                return "amazonaws.com";
            default:
                break;
        }
        if (parameters.containsKey(name)) {
            return parameters.get(name);
        }
        if (name.endsWith(".Alias") && SamTemplate.FUNCTION.equals(template.typeOf(name.substring(0, name.length() - 6)))) {
            // SAM's AutoPublishAlias reference: locally there is one version, the function itself.
            return getAtt(name.substring(0, name.length() - 6), "Arn");
        }
        String type = template.typeOf(name);
        if (type == null) {
            throw new IllegalArgumentException("!Ref " + name + ": no such parameter or resource in template.yaml");
        }
        if (SamTemplate.STATE_MACHINE.equals(type)) {
            return "arn:aws:states:" + region + ":" + ACCOUNT + ":stateMachine:" + stateMachineName(name);
        }
        return names.physicalName(name, type);
    }

    /** A state machine's name: its {@code Name} property resolved, else (locally) its logical id. */
    public String stateMachineName(String logicalId) {
        Object given = template.properties(logicalId).get("Name");
        return given != null ? resolve(given) : names.physicalName(logicalId, SamTemplate.STATE_MACHINE);
    }

    String getAtt(String logicalId, String attribute) {
        String type = template.typeOf(logicalId);
        if (type == null) {
            throw new IllegalArgumentException("!GetAtt " + logicalId + "." + attribute + ": no such resource");
        }
        String name = names.physicalName(logicalId, type);
        if (attribute.equals("Arn")) {
            return switch (type) {
                case SamTemplate.TABLE -> "arn:aws:dynamodb:" + region + ":" + ACCOUNT + ":table/" + name;
                case SamTemplate.BUCKET -> "arn:aws:s3:::" + name;
                case SamTemplate.FUNCTION -> "arn:aws:lambda:" + region + ":" + ACCOUNT + ":function:" + name;
                case "AWS::Logs::LogGroup" -> "arn:aws:logs:" + region + ":" + ACCOUNT + ":log-group:" + name;
                default -> "arn:aws:local:" + region + ":" + ACCOUNT + ":" + logicalId;
            };
        }
        if (attribute.equals("Name")) {
            return name;
        }
        throw new IllegalArgumentException("!GetAtt " + logicalId + "." + attribute + " has no local value");
    }

    private String sub(Object arg) {
        String text;
        Map<String, Object> vars = Map.of();
        if (arg instanceof List<?> list) {
            text = String.valueOf(list.get(0));
            vars = SamTemplate.map(list.get(1));
        } else {
            text = String.valueOf(arg);
        }
        Matcher m = SUB.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String var = m.group(1);
            String value;
            if (vars.containsKey(var)) {
                value = resolve(vars.get(var));
            } else if (var.contains(".")) {
                String[] parts = var.split("\\.", 2);
                value = getAtt(parts[0], parts[1]);
            } else {
                value = ref(var);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString().replace("${!", "${");
    }

    private static IllegalArgumentException unsupported(Object value) {
        return new IllegalArgumentException("the local runtime cannot resolve " + value);
    }
}
