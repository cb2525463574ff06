"""One round over long-lived connections to tcp_echo.py backends, shared by the e2e clients
(steady_traffic.py, ecmp_probe.py, connection_fates.py): each live connection sends `text` and
must get its answer, on the same connection, from the backend that answered its first line; and
one datagram of a UDP stream beside them."""
import socket


def echo_round(socks, readers, owners, alive, summary, text):
    """Counts into summary: exchanges, moved (answered by another backend), resets and timeouts;
    a connection that reset or timed out is removed from `alive`."""
    for i in list(alive):
        try:
            socks[i].sendall(text)
            line = readers[i].readline()
        except socket.timeout:
            summary["timeouts"] += 1
            alive.remove(i)
            continue
        except OSError:
            line = None
        if not line:
            summary["resets"] += 1
            alive.remove(i)
        elif line.split(b":")[0] != owners[i]:
            summary["moved"] += 1
        else:
            summary["exchanges"] += 1


def udp_round(udp, target, text, summary):
    """Sends `text` to target (VIP, PORT) and waits for an answer for udp's timeout; counts
    udp_sent and udp_answered into summary."""
    udp.sendto(text, target)
    summary["udp_sent"] += 1
    try:
        udp.recvfrom(2048)
        summary["udp_answered"] += 1
    except socket.timeout:
        pass
