package sc.fiji.stylecrafter.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.app.StatusService;
import org.scijava.app.event.StatusEvent;
import org.scijava.event.EventHandler;
import org.scijava.event.EventService;
import org.scijava.log.LogService;
import org.scijava.task.TaskService;

import sc.fiji.stylecrafter.task.Stage;

/** The one progress adapter: generation, batch and download progress become one bar in thousandths, through a real context. */
class FijiProgressTest {

	/** The status bar's events, as a Fiji status bar receives them. */
	public static final class Bar {

		final List<int[]> values = new ArrayList<>();
		final List<String> messages = new ArrayList<>();

		@EventHandler
		public synchronized void onStatus(StatusEvent e) {
			values.add(new int[] { e.getProgressValue(), e.getProgressMaximum() });
			messages.add(e.getStatusMessage());
			notifyAll();
		}

		/**
		 * Waits for the close: a full bar without a message. The status service publishes through SciJava's
		 * {@code publishLater}, which hands each event to a thread pool, so events arrive in any order: the close is
		 * looked for among all events, not as the last one.
		 */
		synchronized void awaitClose() throws InterruptedException {
			long end = System.currentTimeMillis() + 10_000;
			while (!closed() && System.currentTimeMillis() < end) wait(50);
		}

		synchronized boolean closed() {
			for (int i = 0; i < values.size(); i++) {
				if (messages.get(i) == null && values.get(i)[0] == values.get(i)[1]) return true;
			}
			return false;
		}
	}

	@Test
	void aBatchFillsOneBarEntryByEntryAndEmptiesItWhenClosed() throws InterruptedException {
		try (Context context = new Context(StatusService.class, TaskService.class, EventService.class, LogService.class)) {
			Bar bar = new Bar();
			context.service(EventService.class).subscribe(bar);
			TaskService tasks = context.service(TaskService.class);
			FijiProgress p;
			try (FijiProgress progress = FijiProgress.start("StyleCrafter batch", "test batch", tasks, context.service(StatusService.class),
				context.service(LogService.class)).generations(4, 4).batch(2))
			{
				p = progress;
				// entry 1: 4 steps (half of its share), then 4 frames; entry 2 likewise
				for (int entry = 0; entry < 2; entry++) {
					progress.entry(entry, 2, null, "running");
					for (int s = 1; s <= 4; s++) progress.progress(s, 4, Stage.SAMPLING);
					for (int f = 1; f <= 4; f++) progress.progress(f, 4, Stage.DECODING);
					progress.entry(entry, 2, null, "done");
				}
				assertTrue(!progress.cancelled());
			}
			bar.awaitClose();
			// the last event of each stage always comes through (the others at most four a second)
			int[] afterFirstSampling = find(bar, "entry 1/2, step 4/4");
			assertEquals(250, afterFirstSampling[0], "entry 1 of 2, sampling done: a quarter of the bar");
			assertEquals(1000, afterFirstSampling[1]);
			assertEquals(500, find(bar, "entry 1/2: done")[0]);
			assertEquals(750, find(bar, "entry 2/2, step 4/4")[0]);
			assertEquals(1000, find(bar, "entry 2/2: done")[0]);
			assertTrue(bar.closed(), "closing takes the bar away (a full bar)");
			assertTrue(bar.messages.stream().allMatch(m -> m == null || m.startsWith("StyleCrafter batch")), bar.messages.toString());
			assertTrue(p.cancelled() == Thread.currentThread().isInterrupted());
		}
	}

	@Test
	void aScheduleThatRunsOtherStepsIsSaidAndStillFillsTheBar() throws InterruptedException {
		try (Context context = new Context(StatusService.class, EventService.class, LogService.class)) {
			Bar bar = new Bar();
			context.service(EventService.class).subscribe(bar);
			List<String> logged = java.util.Collections.synchronizedList(new ArrayList<>());
			context.service(LogService.class).addLogListener(m -> logged.add(m.text()));
			try (FijiProgress progress = FijiProgress.start("StyleCrafter", "test", null, context.service(StatusService.class), context.service(LogService.class))
				.generations(7, 1))
			{
				for (int s = 1; s <= 3; s++) progress.progress(s, 3, Stage.SAMPLING);
				progress.progress(1, 1, Stage.DECODING);
			}
			bar.awaitClose();
			int[] sampled = find(bar, "step 3/3");
			assertEquals(750, sampled[0], "3 steps of 3 against 1 frame");
			assertEquals(List.of("StyleCrafter: steps=7 runs 3 steps in the official schedule"), logged, "said once, in the log");
			assertTrue(bar.messages.stream().noneMatch(m -> m != null && m.contains("schedule")), "the status line stays short: " + bar.messages);
			assertEquals(1000, find(bar, "decoding frame 1/1")[0]);
		}
	}

	@Test
	void aRestyleFillsTheBarFrameByEncodedFrameThenStepByStepThenFrameByDecodedFrame() throws InterruptedException {
		try (Context context = new Context(StatusService.class, EventService.class, LogService.class)) {
			Bar bar = new Bar();
			context.service(EventService.class).subscribe(bar);
			try (FijiProgress progress = FijiProgress.start("StyleCrafter", "test", null, context.service(StatusService.class), null).generations(2, 4, 4)) {
				for (int f = 1; f <= 4; f++) progress.progress(f, 4, Stage.SOURCE);
				for (int s = 1; s <= 2; s++) progress.progress(s, 2, Stage.SAMPLING);
				for (int f = 1; f <= 4; f++) progress.progress(f, 4, Stage.DECODING);
			}
			bar.awaitClose();
			assertEquals(400, find(bar, "encoding frame 4/4")[0], "4 encoded frames of 10 units");
			assertEquals(600, find(bar, "step 2/2")[0]);
			assertEquals(1000, find(bar, "decoding frame 4/4")[0]);
		}
	}

	/** The bar's value at the first message with {@code text}, waiting for it up to 10 s (events arrive in any order). */
	private static int[] find(Bar bar, String text) {
		long end = System.currentTimeMillis() + 10_000;
		synchronized (bar) {
			while (true) {
				for (int i = 0; i < bar.messages.size(); i++) {
					String m = bar.messages.get(i);
					if (m != null && m.contains(text)) return bar.values.get(i);
				}
				if (System.currentTimeMillis() > end) throw new AssertionError("no status message with '" + text + "' in " + bar.messages);
				try {
					bar.wait(50);
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
					throw new AssertionError("interrupted while waiting for '" + text + "'");
				}
			}
		}
	}
}
