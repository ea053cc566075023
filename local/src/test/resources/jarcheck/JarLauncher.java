import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.io.ObjectInputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Compiled and run by DeployableJarTest with nothing but one Lambda jar on the classpath: builds
 * the handler the way the local runtime does and replays one event read from stdin (a serialized
 * map of its parts), printing "status body".
 */
public class JarLauncher {
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Map<String, Object> in;
        try (ObjectInputStream s = new ObjectInputStream(System.in)) {
            in = (Map<String, Object>) s.readObject();
        }
        Map<String, String> env = (Map<String, String>) in.get("env");
        if (in.get("task") != null) {
            // A state machine task: the handler takes and returns a JSON object (a Map).
            RequestHandler<Map<String, Object>, Map<String, Object>> task = (RequestHandler<Map<String, Object>, Map<String, Object>>)
                    Class.forName(args[0]).getConstructor(Map.class).newInstance(env);
            System.out.println("RESULT " + task.handleRequest((Map<String, Object>) in.get("task"), null));
            return;
        }
        APIGatewayV2HTTPEvent e = new APIGatewayV2HTTPEvent();
        var rc = new APIGatewayV2HTTPEvent.RequestContext();
        var http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        String routeKey = (String) in.get("routeKey");
        http.setMethod(routeKey.substring(0, routeKey.indexOf(' ')));
        http.setSourceIp("127.0.0.1");
        rc.setHttp(http);
        rc.setRequestId("deployable-jar-test");
        rc.setRouteKey(routeKey);
        e.setRequestContext(rc);
        e.setRouteKey(routeKey);
        e.setHeaders(new HashMap<>((Map<String, String>) in.get("headers")));
        e.setPathParameters((Map<String, String>) in.get("pathParameters"));
        e.setBody((String) in.get("body"));
        e.setIsBase64Encoded(Boolean.TRUE.equals(in.get("base64")));
        Class<?> type = Class.forName(args[0]);
        RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler =
                (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) type.getConstructor(Map.class).newInstance(env);
        APIGatewayV2HTTPResponse r = handler.handleRequest(e, null);
        System.out.println("RESULT " + r.getStatusCode() + " " + r.getBody());
    }
}
