package sc.fiji.stylecrafter.download;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import sc.fiji.stylecrafter.task.CancellationToken;

/**
 * Watches a response body while it is read: when no byte arrived for the idle timeout (a server that sent its
 * headers and then nothing), or the user cancelled, it closes the stream, which ends the blocked read. Without it such
 * a read waits for ever: java.net.http has no read timeout once the headers are in.
 */
final class IdleWatch implements AutoCloseable {

	private static final ScheduledExecutorService CLOCK = Executors.newSingleThreadScheduledExecutor(r -> {
		Thread t = new Thread(r, "StyleCrafter download watch");
		t.setDaemon(true);
		return t;
	});

	private final long idleNanos;
	private final CancellationToken cancel;
	private final Closeable stream;
	private final ScheduledFuture<?> check;
	private volatile long last = System.nanoTime();
	private volatile boolean stalled;

	/** Starts watching {@code stream}: it is closed after {@code idle} without a {@link #touch}, or on a cancel. */
	IdleWatch(Duration idle, CancellationToken cancel, Closeable stream) {
		this.idleNanos = idle.toNanos();
		this.cancel = cancel;
		this.stream = stream;
		long period = Math.max(20, Math.min(1000, idle.toMillis() / 4));
		this.check = CLOCK.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
	}

	/** Bytes arrived: the idle time starts again. */
	void touch() {
		last = System.nanoTime();
	}

	/** True if the stream was closed because nothing arrived for the idle timeout. */
	boolean stalled() {
		return stalled;
	}

	private void check() {
		boolean idle = System.nanoTime() - last > idleNanos;
		if (!idle && !cancel.isCancelled()) return;
		stalled = idle;
		check.cancel(false);
		try {
			stream.close();
		}
		catch (IOException e) {
			// closing is only a way to end the read; the reader reports the stall
		}
	}

	@Override
	public void close() {
		check.cancel(false);
	}
}
