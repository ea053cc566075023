package dev.slipway.local.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Allow statements of one function's inline policies in template.yaml (and of the template's
 * managed policies it names with {@code !Ref}), each resource written as
 * the text of its {@code !Sub} ({@code !GetAtt X.Arn} → {@code ${X.Arn}}, {@code !Ref X} → {@code ${X}}),
 * so tests can ask "may this function do action A on resource R" with IAM's wildcard rules.
 */
public record IamGrants(String functionId, List<Grant> grants) {

    /** One action on one resource; {@code conditional} when the statement carries a Condition or sits under an !If. */
    public record Grant(String action, String resource, boolean conditional) {
    }

    @SuppressWarnings("unchecked")
    public static IamGrants of(SamTemplate template, String functionId) {
        List<Grant> out = new ArrayList<>();
        Object policies = template.properties(functionId).get("Policies");
        if (policies instanceof List<?> list) {
            for (Object p : list) {
                Map<String, Object> policy = SamTemplate.map(p);
                if (policy.get("Ref") instanceof String managed) { // a managed policy of the template: its document
                    policy = SamTemplate.map(template.properties(managed).get("PolicyDocument"));
                }
                addStatements(policy, out);
            }
        }
        return new IamGrants(functionId, List.copyOf(out));
    }

    /**
     * The Allow statements an {@code AWS::IAM::Role} of the template holds: its inline Policies (one under
     * {@code !If [Condition, policy, !Ref AWS::NoValue]} counts as held: the grants when that condition is on),
     * and the PolicyDocument of each template managed policy in its ManagedPolicyArns.
     */
    @SuppressWarnings("unchecked")
    public static IamGrants ofRole(SamTemplate template, String roleId) {
        Map<String, Object> role = template.properties(roleId);
        List<Object> documents = new ArrayList<>();
        for (Object p : (List<Object>) role.getOrDefault("Policies", List.of())) {
            Map<String, Object> policy = SamTemplate.map(p);
            if (policy.get("Fn::If") instanceof List<?> branches) {
                policy = SamTemplate.map(branches.get(1));
            }
            documents.add(policy.get("PolicyDocument"));
        }
        for (Object arn : (List<Object>) role.getOrDefault("ManagedPolicyArns", List.of())) {
            if (SamTemplate.map(arn).get("Ref") instanceof String managed) {
                documents.add(template.properties(managed).get("PolicyDocument"));
            } else {
                throw new AssertionError(roleId + " holds a managed policy from outside the template: " + arn);
            }
        }
        List<Grant> out = new ArrayList<>();
        for (Object d : documents) {
            addStatements(SamTemplate.map(d), out);
        }
        return new IamGrants(roleId, List.copyOf(out));
    }

    /** The Allow statements of one managed policy of the template. */
    public static IamGrants ofManagedPolicy(SamTemplate template, String policyId) {
        List<Grant> out = new ArrayList<>();
        addStatements(SamTemplate.map(template.properties(policyId).get("PolicyDocument")), out);
        return new IamGrants(policyId, List.copyOf(out));
    }

    /**
     * A document's Allow statements; one under {@code !If [Condition, statement, !Ref AWS::NoValue]} is held when the
     * condition is on, so it counts as conditional.
     */
    @SuppressWarnings("unchecked")
    private static void addStatements(Map<String, Object> document, List<Grant> out) {
        for (Object st : (List<Object>) document.getOrDefault("Statement", List.of())) {
            Map<String, Object> s = SamTemplate.map(st);
            boolean underIf = s.get("Fn::If") instanceof List<?>;
            if (underIf) {
                s = SamTemplate.map(((List<?>) s.get("Fn::If")).get(1));
            }
            if (!"Allow".equals(s.get("Effect"))) {
                continue;
            }
            for (Object a : asList(s.get("Action"))) {
                for (Object r : asList(s.get("Resource"))) {
                    out.add(new Grant(String.valueOf(a), text(r), underIf || s.get("Condition") != null));
                }
            }
        }
    }

    /** Whether an unconditional statement allows {@code action} on {@code resource} (IAM's * and ? in the granted ARN). */
    public boolean allows(String action, String resource) {
        return grants.stream().anyMatch(g -> !g.conditional() && g.action().equals(action) && matches(g.resource(), resource));
    }

    /** Whether any statement, conditional or not, allows {@code action} on {@code resource}. */
    public boolean allowsUnderSomeCondition(String action, String resource) {
        return grants.stream().anyMatch(g -> g.action().equals(action) && matches(g.resource(), resource));
    }

    public List<Grant> forAction(String action) {
        return grants.stream().filter(g -> g.action().equals(action)).toList();
    }

    /** IAM resource matching: {@code *} any run of characters (slashes included), {@code ?} one character. */
    public static boolean matches(String granted, String resource) {
        StringBuilder re = new StringBuilder();
        for (char c : granted.toCharArray()) {
            re.append(switch (c) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(c));
            });
        }
        return Pattern.matches(re.toString(), resource);
    }

    /** The text of a resource: a literal, or the string of its Sub / Ref / GetAtt. */
    public static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        Map<String, Object> m = SamTemplate.map(value);
        if (m.get("Fn::Sub") instanceof String s) {
            return s;
        }
        if (m.get("Ref") instanceof String s) {
            return "${" + s + "}";
        }
        if (m.get("Fn::GetAtt") instanceof List<?> l) {
            return "${" + l.get(0) + "." + l.get(1) + "}";
        }
        if (m.get("Fn::GetAtt") instanceof String s) {
            return "${" + s + "}";
        }
        return String.valueOf(value);
    }

    private static List<?> asList(Object o) {
        return o instanceof List<?> l ? l : o == null ? List.of() : List.of(o);
    }
}
