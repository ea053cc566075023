package dev.slipway.shared.data.postgres;

import dev.slipway.shared.net.PublicAddress;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * pgjdbc's socket factory for databases named by outside URLs: it checks the address a connection really goes to, at
 * the moment it connects. {@link DatabaseAccess#check} resolves the host once when a URL is saved or used, but pgjdbc
 * resolves it again to connect, so a name whose answer changes in between (DNS rebinding) could otherwise reach a
 * private address. An unresolved address (pgjdbc behind a SOCKS proxy) is refused: fail closed.
 *
 * <p>pgjdbc makes it by class name with {@code socketFactoryArg}: {@value #PUBLIC_ONLY} or {@value #PUBLIC_OR_LOOPBACK}.
 */
public final class AddressCheckingSocketFactory extends SocketFactory {
    public static final String PUBLIC_ONLY = "public";
    public static final String PUBLIC_OR_LOOPBACK = "public-or-loopback";

    private final boolean loopbackAllowed;

    public AddressCheckingSocketFactory(String rule) {
        if (!PUBLIC_ONLY.equals(rule) && !PUBLIC_OR_LOOPBACK.equals(rule)) {
            throw new IllegalArgumentException("rule: " + PUBLIC_ONLY + " or " + PUBLIC_OR_LOOPBACK);
        }
        this.loopbackAllowed = PUBLIC_OR_LOOPBACK.equals(rule);
    }

    /** Whether a connection may go to this address. */
    boolean allowed(InetAddress address) {
        return PublicAddress.isPublic(address) || (loopbackAllowed && address.isLoopbackAddress());
    }

    @Override
    public Socket createSocket() {
        return new Socket() {
            @Override
            public void connect(SocketAddress endpoint, int timeout) throws IOException {
                InetAddress address = endpoint instanceof InetSocketAddress i ? i.getAddress() : null;
                if (address == null || !allowed(address)) {
                    throw new SocketException("refused to connect to " + endpoint + ": not a public address"
                            + (loopbackAllowed ? " or loopback" : ""));
                }
                super.connect(endpoint, timeout);
            }
        };
    }

    // pgjdbc only calls createSocket(); the rest connect at once, so they go through the same check.
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
    }

    /** A checked socket bound to {@code local} (null: any) and connected to {@code remote}. */
    private Socket connected(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        Socket s = createSocket();
        if (local != null) {
            s.bind(local);
        }
        s.connect(remote);
        return s;
    }
}
