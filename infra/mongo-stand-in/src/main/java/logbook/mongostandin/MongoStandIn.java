package logbook.mongostandin;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;

/**
 * In-memory MongoDB stand-in for tests, listening on 127.0.0.1 only.
 *
 * <pre>
 * java -jar mongo-stand-in.jar [port] [--exit-with-stdin]
 * </pre>
 *
 * port defaults to 27017; 0 picks any free port. Once the server accepts connections, one line
 * {@code LISTENING <port>} goes to stdout. The server stops on SIGTERM / SIGINT, and with
 * --exit-with-stdin also when stdin reaches end of file (so it dies with the process that
 * started it, even if that process is killed).
 *
 * The backend reports MongoDB 5.0 (wire version 8): the default, 3.6 (wire version 6), is
 * refused by the Node.js mongodb 6.x driver, which needs wire version 8 or more.
 */
public final class MongoStandIn {
    private static final String LOOPBACK = "127.0.0.1";
    private static final int DEFAULT_PORT = 27017;

    private MongoStandIn() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = DEFAULT_PORT;
        boolean exitWithStdin = false;
        for (String arg : args) {
            if (arg.equals("--exit-with-stdin")) {
                exitWithStdin = true;
            } else if (arg.matches("\\d{1,5}") && Integer.parseInt(arg) <= 65535) {
                port = Integer.parseInt(arg);
            } else {
                System.err.println("usage: mongo-stand-in [port] [--exit-with-stdin] (bad argument: " + arg + ")");
                System.exit(2);
            }
        }

        MongoServer server = new MongoServer(new MemoryBackend().version(ServerVersion.MONGO_5_0));
        server.bind(LOOPBACK, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            stopped.countDown();
        }, "mongo-stand-in-shutdown"));

        System.out.println("LISTENING " + server.getLocalAddress().getPort());
        System.out.flush();

        if (exitWithStdin) {
            waitForEndOfInput(System.in);
            System.exit(0); // runs the shutdown hook
        }
        stopped.await();
    }

    private static void waitForEndOfInput(InputStream input) {
        byte[] discard = new byte[256];
        try {
            while (input.read(discard) != -1) {
                // whatever arrives on stdin is ignored; only its end matters
            }
        } catch (IOException closed) {
            // a broken stdin means the starter is gone as well
        }
    }
}
