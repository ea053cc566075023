package dev.slipway.shared.deploy.build.sandbox;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which endpoints a server's values open: every postgres URL's host:port (several names, several hosts of one URL, the
 * default port), a loopback address per host name in the sandbox's hosts file, the runtime's Postgres on 127.0.0.1 only
 * at its own port, IP addresses and other values refused or ignored — and no value (password) in any message.
 */
class DatabaseTunnelsTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 54321);

    @Test
    void everyPostgresUrlInTheValuesOpensItsEndpointAndItsNameGetsALoopbackAddress() {
        Map<String, String> values = new TreeMap<>(Map.of(
                "DATABASE_URL", "postgresql://app:p%40ss:w@db.abc.supabase.co:6543/postgres?sslmode=require",
                "DIRECT_URL", "postgres://app:secret-pw@DB.abc.supabase.co/postgres",
                "POSTGRES_URL", "postgres://u:x@ep-1.neon.tech:5432,ep-2.neon.tech:5433/db",
                "API_URL", "https://api.example.com/",
                "LOCAL_URL", "postgres://role:pw@127.0.0.1:54321/app"));
        DatabaseTunnels t = DatabaseTunnels.of(values, LOCAL, Set.of(8080, 3128));
        assertEquals(List.of(), t.refused());
        assertEquals(Set.of("db.abc.supabase.co:6543", "db.abc.supabase.co:5432", "127.0.0.1:54321", "ep-1.neon.tech:5432",
                "ep-2.neon.tech:5433"), t.endpoints());
        assertTrue(t.tunnels().contains(new DatabaseTunnels.Tunnel("127.0.0.2", 6543, "db.abc.supabase.co", 6543)), t.tunnels().toString());
        assertTrue(t.tunnels().contains(new DatabaseTunnels.Tunnel("127.0.0.2", 5432, "db.abc.supabase.co", 5432)), "one address per name");
        assertTrue(t.tunnels().contains(new DatabaseTunnels.Tunnel("127.0.0.1", 54321, "127.0.0.1", 54321)));
        String hosts = t.hostsFile();
        assertTrue(hosts.startsWith("127.0.0.1\tlocalhost\n"), hosts);
        assertTrue(hosts.contains("127.0.0.2\tdb.abc.supabase.co\n") && hosts.contains("127.0.0.3\tep-1.neon.tech\n")
                && hosts.contains("127.0.0.4\tep-2.neon.tech\n"), hosts);
        assertEquals("127.0.0.3:5432=ep-1.neon.tech:5432", t.tunnels().stream().filter(x -> x.host().startsWith("ep-1")).findFirst()
                .orElseThrow().argument());
    }

    @Test
    void ipAddressesOtherLoopbackPortsAndBadHostsAreRefusedWithoutTheirValues() {
        Map<String, String> values = Map.of(
                "DATABASE_URL", "postgres://u:topsecret@10.0.0.5:5432/db",
                "DIRECT_URL", "postgres://u:topsecret@localhost:5432/db",
                "POSTGRES_URL", "postgres://u:topsecret@[2001:db8::1]:5432/db",
                "SUPABASE_DB_URL", "postgres://u:topsecret@bad_host!:5432/db",
                "POSTGRES_PRISMA_URL", "postgres://u:topsecret@db.example.com:99999/db",
                "OTHER", "postgres://u:topsecret@127.0.0.1:8080/db");
        DatabaseTunnels t = DatabaseTunnels.of(values, new InetSocketAddress("127.0.0.1", 8080), Set.of(8080, 3128));
        assertEquals(List.of(), t.tunnels());
        assertEquals(6, t.refused().size(), t.refused().toString());
        String all = String.join("\n", t.refused());
        assertFalse(all.contains("topsecret"), all);
        assertTrue(all.contains("DATABASE_URL names the IP address 10.0.0.5"), all);
        assertTrue(all.contains("DIRECT_URL names localhost:5432: this machine's loopback is not reachable"), all);
        assertTrue(all.contains("OTHER names 127.0.0.1:8080, a port the sandbox uses itself"), all);
        assertTrue(DatabaseTunnels.of(Map.of("DATABASE_URL", "postgres://u@localhost:5432/db"), null, Set.of()).tunnels().isEmpty());
    }
}
