package dev.slipway.shared.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Whether an address is on the public internet: what Slipway lets untrusted input reach (git URLs to import
 * from, a build's network). Loopback, private, link-local (the instance metadata service), carrier-grade NAT,
 * unique-local, multicast and reserved ranges are not, so nothing outside can steer Slipway at its own
 * ports or the owner's private network.
 */
public final class PublicAddress {
    private PublicAddress() {
    }

    public static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int x = b[0] & 0xff, y = b[1] & 0xff;
            return !(x == 0 || x == 10 || x == 127 || x >= 224                // this network, private, loopback, multicast/reserved
                    || (x == 100 && y >= 64 && y <= 127)                      // carrier-grade NAT
                    || (x == 169 && y == 254)                                 // link-local, instance metadata
                    || (x == 172 && y >= 16 && y <= 31) || (x == 192 && y == 168)
                    || (x == 192 && y == 0 && (b[2] & 0xff) == 0)             // IETF protocol assignments
                    || (x == 198 && (y == 18 || y == 19)));                   // benchmarking
        }
        if (a instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {
                return false; // unique local fc00::/7 (also fd00:ec2::254, the metadata service)
            }
            if (first == 0x00 || first == 0xff) {
                return false; // ::/8 (incl. v4-compatible, unspecified), multicast
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x02) {
                return false; // 6to4 may embed a private IPv4 address
            }
            if (first == 0x00 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
                return false; // NAT64
            }
            return (first & 0xe0) == 0x20; // global unicast 2000::/3 only
        }
        return false;
    }
}
