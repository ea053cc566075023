package dev.slipway.local.template;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads CloudFormation YAML: the short forms ({@code !Ref X}, {@code !GetAtt A.B}, {@code !Sub ...})
 * become the long JSON forms ({@code {"Ref": "X"}}, {@code {"Fn::GetAtt": ["A","B"]}}), so the rest
 * of the local runtime deals with one shape only.
 */
final class CfnYaml {
    private static final List<String> FUNCTIONS = List.of("Sub", "GetAtt", "Join", "Select", "Split", "If", "Equals",
            "Not", "And", "Or", "FindInMap", "Base64", "Cidr", "GetAZs", "ImportValue", "Transform", "Length", "ToJsonString");

    private CfnYaml() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        Yaml yaml = new Yaml(new Constructor(options));
        Object doc = yaml.load(text);
        if (!(doc instanceof Map)) {
            throw new IllegalArgumentException("template is not a YAML mapping");
        }
        return (Map<String, Object>) doc;
    }

    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
            for (String f : FUNCTIONS) {
                yamlConstructors.put(new Tag("!" + f), new Intrinsic("Fn::" + f));
            }
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode s) {
                    value = constructScalar(s);
                    if (key.equals("Fn::GetAtt")) {
                        value = Arrays.asList(((String) value).split("\\.", 2));
                    }
                } else if (node instanceof SequenceNode q) {
                    value = constructSequence(q);
                } else {
                    value = constructMapping((MappingNode) node);
                }
                return Map.of(key, value);
            }
        }
    }
}
