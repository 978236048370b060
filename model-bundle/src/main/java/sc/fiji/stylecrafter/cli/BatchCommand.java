package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import ai.djl.Device;

import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.batch.BatchList;
import sc.fiji.stylecrafter.batch.BatchRunner;
import sc.fiji.stylecrafter.setup.ModelSetup;
import sc.fiji.stylecrafter.task.GenerationCancelledException;
import sc.fiji.stylecrafter.task.Stage;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.task.ProgressClock;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.video.VideoWriter;

/**
 * {@code stylecrafter batch [--models DIR] --list FILE.json --out DIR [--format mp4|webm|gif|tif|png] [--official-seeding]
 * [generate's settings]}: every entry of an official {@code eval_data}-style list, with the model loaded once (see
 * {@link BatchRunner}).
 */
final class BatchCommand {

	static final String USAGE = "usage: stylecrafter batch [--models DIR] --list FILE.json --out DIR [--format mp4|webm|gif|tif|png] "
		+ "[--official-seeding] [--mode video|image] [--seed N] [--steps N] [--frames N] [--width W --height H] [--text-guidance X] "
		+ "[--style-guidance X] [--style-weight X] [--eta X] [--device auto|cpu|gpu] [--dtype float32|float16] [--fps N] [--style-frames N]";

	private static final Set<String> VALUED = Set.of("--models", "--list", "--out", "--format", "--mode", "--seed", "--steps", "--frames", "--width",
		"--height", "--text-guidance", "--style-guidance", "--style-weight", "--eta", "--device", "--dtype", "--fps", "--style-frames");
	private static final List<String> FORMATS = List.of("mp4", "webm", "gif", "tif", "png");

	private BatchCommand() {}

	static int run(String[] a, PrintStream out, PrintStream err) {
		Map<String, String> one = new LinkedHashMap<>();
		boolean official = false;
		BatchRunner.Options options;
		Path models, list, dir;
		String device;
		Precision precision;
		try {
			for (int i = 0; i < a.length; i++) {
				String k = a[i];
				if (k.equals("--official-seeding")) {
					official = true;
					continue;
				}
				if (!VALUED.contains(k)) throw new IllegalArgumentException("unknown option '" + k + "'");
				if (i + 1 >= a.length) throw new IllegalArgumentException(k + " needs a value");
				if (one.put(k, a[++i]) != null) throw new IllegalArgumentException(k + " given twice");
			}
			for (String req : List.of("--list", "--out")) if (!one.containsKey(req)) throw new IllegalArgumentException(req + " is required");
			String format = one.getOrDefault("--format", "mp4").toLowerCase(Locale.ROOT);
			if (!FORMATS.contains(format)) throw new IllegalArgumentException("--format '" + format + "' is not known; allowed: " + String.join(", ", FORMATS));
			GenerationSettings s = GenerateCommand.settings(one);
			int fps = one.containsKey("--fps") ? Integer.parseInt(one.get("--fps")) : VideoWriter.DEFAULT_FPS;
			VideoWriter.checkFrameRate(fps);
			int styleFrames = GenerateCommand.styleFrames(one);
			options = new BatchRunner.Options(s, official, format, fps, styleFrames);
			models = one.containsKey("--models") ? Path.of(one.get("--models")) : ModelSetup.defaultFolder();
			list = Path.of(one.get("--list"));
			dir = Path.of(one.get("--out"));
			device = one.getOrDefault("--device", DeviceChoice.AUTO_LABEL);
			precision = Precision.parse(one.getOrDefault("--dtype", Precision.DEFAULT_LABEL));
		}
		catch (IllegalArgumentException e) { // NumberFormatException included
			err.println("stylecrafter batch: " + e.getMessage());
			err.println(USAGE);
			return 2;
		}
		try {
			List<BatchList.Entry> entries = BatchList.read(list);
			if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException(dir + " is a file, not a folder");
			Device d = DeviceChoice.parse(device).resolve();
			long t0 = System.nanoTime();
			StyleCrafterModel loaded = GenerateCommand.load(models, d, precision, err, "batch");
			if (loaded == null) return 1;
			try (StyleCrafterModel model = loaded) {
				double load = (System.nanoTime() - t0) / 1e9;
				err.printf(Locale.ROOT, "loaded model from %s in %.1f s; %d entries%n", models, load, entries.size());
				long t1 = System.nanoTime();
				int[] finished = { 0 };
				ProgressClock clock = new ProgressClock();
				BatchRunner.Outcome o = BatchRunner.run(model, entries, dir, options, new BatchRunner.Listener() {

					private int current;

					@Override
					public void entry(int k, int n, BatchList.Entry e, String state) {
						current = k;
						if (state.equals("running")) return;
						finished[0]++;
						double per = (System.nanoTime() - t1) / 1e9 / finished[0];
						err.printf(Locale.ROOT, "%nentry %d/%d %s: %s (about %.0f s left for the batch)%n", k + 1, n, quoted(e), state,
							per * (n - finished[0]));
					}

					@Override
					public void progress(int done, int total, Stage stage) {
						clock.update(done, total, stage);
						err.printf(Locale.ROOT, "\rentry %d/%d %s %d/%d%s", current + 1, entries.size(), stage, done, total,
							Double.isNaN(clock.secondsLeft()) ? "" : String.format(Locale.ROOT, ", %.0f s left in this entry", clock.secondsLeft()));
					}
				}, () -> Thread.currentThread().isInterrupted());
				out.printf(Locale.ROOT, "batch done: %d written, %d skipped (already written), %d failed; %s%n", o.done(), o.skipped(), o.failed(), o.index());
				return o.failed() > 0 ? 1 : 0;
			}
		}
		catch (GenerationCancelledException e) {
			err.println("stylecrafter batch: stopped (" + e.getMessage() + "); run the same command again to resume");
			return 1;
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter batch: " + InspectCommand.oneLine(e.getMessage()));
			return 1;
		}
	}

	/** How an entry is named in messages. */
	private static String quoted(BatchList.Entry e) {
		return "'" + (e.prompt().length() > 40 ? e.prompt().substring(0, 40) + "..." : e.prompt()) + "'";
	}
}
