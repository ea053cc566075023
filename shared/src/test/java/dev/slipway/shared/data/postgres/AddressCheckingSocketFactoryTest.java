package dev.slipway.shared.data.postgres;

import dev.slipway.shared.data.TestPostgres;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The address check pgjdbc applies as it connects (the guard against a host name that resolves differently later). */
class AddressCheckingSocketFactoryTest {
    @Test
    void pgjdbcConnectsThroughTheCheckAndIsRefusedWhereTheRuleSaysNo() throws Exception {
        PostgresServer server = TestPostgres.server(); // listens on 127.0.0.1

        SQLException refused = assertThrows(SQLException.class,
                () -> server.connect("postgres", AddressCheckingSocketFactory.PUBLIC_ONLY).close());
        assertTrue(causes(refused).contains("refused to connect to"), causes(refused));

        try (Connection c = server.connect("postgres", AddressCheckingSocketFactory.PUBLIC_OR_LOOPBACK);
             Statement s = c.createStatement(); ResultSet r = s.executeQuery("select 1")) {
            r.next();
            assertEquals(1, r.getInt(1));
        }
    }

    @Test
    void privateAndLinkLocalAddressesAreNeverAllowed() throws Exception {
        AddressCheckingSocketFactory withLoopback = new AddressCheckingSocketFactory(AddressCheckingSocketFactory.PUBLIC_OR_LOOPBACK);
        for (String a : new String[] {"10.0.0.5", "169.254.169.254", "192.168.1.1", "172.16.0.1", "fd00::1", "0.0.0.0"}) {
            assertFalse(withLoopback.allowed(InetAddress.getByName(a)), a);
        }
        assertTrue(withLoopback.allowed(InetAddress.getByName("127.0.0.1")));
        assertFalse(new AddressCheckingSocketFactory(AddressCheckingSocketFactory.PUBLIC_ONLY).allowed(InetAddress.getByName("::1")));
        assertTrue(new AddressCheckingSocketFactory(AddressCheckingSocketFactory.PUBLIC_ONLY).allowed(InetAddress.getByName("93.184.216.34")));
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append(" | ");
        }
        return b.toString();
    }
}
