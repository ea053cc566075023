package dev.slipway.shared.deploy.build.sandbox;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The database endpoints a sandboxed app server may reach, from its own runtime values: every value that is a
 * {@code postgres://} or {@code postgresql://} URL (DATABASE_URL, POSTGRES_URL, DIRECT_URL …) names a host:port. Inside
 * the sandbox {@code egress-bridge.cjs --tunnel} listens for each and relays raw bytes through the server's
 * {@link EgressProxy} ({@code CONNECT host:port}), which allows exactly these endpoints on any port. The app's URL is not
 * rewritten: each host name resolves to a loopback address of its own (127.0.0.2, 127.0.0.3 …) through the sandbox's
 * {@link #hostsFile()}, so TLS and its certificate check of the real name stay end to end. An IP address cannot be
 * mapped that way and is refused, except the runtime's own Postgres on 127.0.0.1 (its tunnel listens on the same
 * address and port inside).
 */
public record DatabaseTunnels(List<Tunnel> tunnels, List<String> refused) {
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final int DEFAULT_PORT = 5432;
    /** Loopback addresses handed to host names: 127.0.0.2 up to 127.0.0.254. */
    private static final int MAX_NAMES = 253;

    /** Inside the sandbox, {@code listenAddress:listenPort} reaches {@code host:port} outside. */
    public record Tunnel(String listenAddress, int listenPort, String host, int port) {
        /** The bridge's {@code --tunnel} argument. */
        public String argument() {
            return listenAddress + ":" + listenPort + "=" + host + ":" + port;
        }

        /** What the proxy is asked to CONNECT to. */
        public String endpoint() {
            return host + ":" + port;
        }
    }

    public static final DatabaseTunnels NONE = new DatabaseTunnels(List.of(), List.of());

    public DatabaseTunnels {
        tunnels = List.copyOf(tunnels);
        refused = List.copyOf(refused);
    }

    /**
     * @param values        the server's runtime values (only names and endpoints are ever reported, never values)
     * @param localDatabase the runtime's own Postgres (loopback), or null when there is none
     * @param reservedPorts ports the sandbox's own 127.0.0.1 already uses (the app's, the proxy relay's)
     */
    public static DatabaseTunnels of(Map<String, String> values, InetSocketAddress localDatabase, Set<Integer> reservedPorts) {
        Map<String, String> addressOfName = new LinkedHashMap<>();
        Set<Tunnel> tunnels = new LinkedHashSet<>();
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            String v = e.getValue() == null ? "" : e.getValue().trim();
            String lower = v.toLowerCase(Locale.ROOT);
            String rest;
            if (lower.startsWith("postgres://")) {
                rest = v.substring("postgres://".length());
            } else if (lower.startsWith("postgresql://")) {
                rest = v.substring("postgresql://".length());
            } else {
                continue;
            }
            for (String hostPort : hosts(rest)) {
                String host;
                int port;
                int colon = hostPort.lastIndexOf(':');
                if (hostPort.startsWith("[")) {
                    refused.add(e.getKey() + " names the IPv6 address " + hostPort.split("]")[0] + "]: a sandboxed server reaches"
                            + " a database by its host name only");
                    continue;
                }
                if (colon >= 0) {
                    host = hostPort.substring(0, colon);
                    try {
                        port = Integer.parseInt(hostPort.substring(colon + 1));
                    } catch (NumberFormatException nfe) {
                        port = -1;
                    }
                } else {
                    host = hostPort;
                    port = DEFAULT_PORT;
                }
                host = host.toLowerCase(Locale.ROOT);
                if (host.isEmpty()) {
                    continue; // a Unix-socket URL: nothing to tunnel
                }
                if (port <= 0 || port > 65535) {
                    refused.add(e.getKey() + " names " + host + " with a port that is not a number from 1 to 65535");
                    continue;
                }
                String endpoint = host + ":" + port;
                if (host.equals("localhost") || host.equals("127.0.0.1")) {
                    if (localDatabase == null || localDatabase.getPort() != port) {
                        refused.add(e.getKey() + " names " + endpoint + ": this machine's loopback is not reachable from a sandboxed"
                                + " server" + (localDatabase == null ? "" : " except the runtime's Postgres at 127.0.0.1:" + localDatabase.getPort()));
                    } else if (reservedPorts.contains(port)) {
                        refused.add(e.getKey() + " names " + endpoint + ", a port the sandbox uses itself");
                    } else {
                        tunnels.add(new Tunnel("127.0.0.1", port, "127.0.0.1", port));
                    }
                    continue;
                }
                if (IPV4.matcher(host).matches()) {
                    refused.add(e.getKey() + " names the IP address " + host + ": a sandboxed server reaches a database by its"
                            + " host name only (its name is made to resolve to a tunnel inside the sandbox)");
                    continue;
                }
                if (!HOST_NAME.matcher(host).matches() || host.length() > 253) {
                    refused.add(e.getKey() + " names a host that is not a valid host name");
                    continue;
                }
                String address = addressOfName.get(host);
                if (address == null) {
                    if (addressOfName.size() >= MAX_NAMES) {
                        refused.add(e.getKey() + " names " + host + ": too many database hosts");
                        continue;
                    }
                    address = "127.0.0." + (2 + addressOfName.size());
                    addressOfName.put(host, address);
                }
                tunnels.add(new Tunnel(address, port, host, port));
            }
        }
        return new DatabaseTunnels(new ArrayList<>(tunnels), refused);
    }

    /** The host:port list of a URL's authority (libpq allows several, comma-separated), without user and password. */
    private static List<String> hosts(String afterScheme) {
        int end = afterScheme.length();
        for (char c : new char[]{'/', '?', '#'}) {
            int i = afterScheme.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = afterScheme.substring(0, end);
        int at = authority.lastIndexOf('@');
        String hostList = at >= 0 ? authority.substring(at + 1) : authority;
        List<String> out = new ArrayList<>();
        for (String h : hostList.split(",")) {
            out.add(h.trim());
        }
        return out;
    }

    /** The host:port endpoints the server's proxy allows. */
    public Set<String> endpoints() {
        Set<String> out = new LinkedHashSet<>();
        tunnels.forEach(t -> out.add(t.endpoint()));
        return out;
    }

    /** The sandbox's /etc/hosts: localhost, and each database host name at its own loopback address. */
    public String hostsFile() {
        // localhost is IPv4 only: a tunnel to the runtime's Postgres listens on 127.0.0.1, not ::1
        StringBuilder sb = new StringBuilder("127.0.0.1\tlocalhost\n::1\tip6-localhost ip6-loopback\n");
        Map<String, String> names = new LinkedHashMap<>();
        for (Tunnel t : tunnels) {
            if (!t.listenAddress().equals("127.0.0.1")) {
                names.put(t.host(), t.listenAddress());
            }
        }
        names.forEach((host, address) -> sb.append(address).append('\t').append(host).append('\n'));
        return sb.toString();
    }
}
