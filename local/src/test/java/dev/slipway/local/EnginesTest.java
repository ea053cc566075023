package dev.slipway.local;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The embedded engines listen on loopback only: a laptop's data is not on the network. */
class EnginesTest {
    @Test
    void dynamoDbLocalListensOnLoopbackOnly() throws Exception {
        EmbeddedEngines engines = EmbeddedEngines.get();
        assertEquals(java.util.List.of("127.0.0.1:" + engines.dynamo.port()), engines.dynamo.listeningOn());
        // And where the machine has another address, nothing answers there.
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (!a.isLoopbackAddress() && a instanceof java.net.Inet4Address) {
                    assertThrows(java.io.IOException.class, () -> {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress(a, engines.dynamo.port()), 500);
                        }
                    }, "DynamoDB Local answers on " + a);
                }
            }
        }
    }
}
