package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import ai.djl.Device;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.batch.BatchList;
import sc.fiji.stylecrafter.batch.BatchRunner;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.task.GenerationCancelledException;
import sc.fiji.stylecrafter.task.ProgressClock;
import sc.fiji.stylecrafter.task.Stage;
import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.cli.base.GenerationOptions;
import sc.fiji.stylecrafter.cli.base.Terminal;

/**
 * {@code stylecrafter batch [--models DIR] --list FILE.json --out DIR [--format mp4|webm|gif|tif|png] [--official-seeding]
 * [--strength X] [generate's settings]}: every entry of an official {@code eval_data}-style list, with the model loaded once (see
 * {@link BatchRunner}); an entry with a {@code source_path} restyles it at {@code --strength}.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, description = "Every entry of a list (the official eval_data format), the model loaded once.")
final class BatchCommand extends CliCommand {

	private static final List<String> FORMATS = List.of("mp4", "webm", "gif", "tif", "png");

	@Option(names = "--list", paramLabel = "FILE.json", description = "The list: prompt and style_path of each entry.")
	Path list;

	@Option(names = "--out", paramLabel = "DIR", description = "The results folder (NNN_<prompt>.<format>, sidecars, index.json).")
	Path dir;

	@Option(names = "--format", paramLabel = "mp4|webm|gif|tif|png", description = "The format of each result (default mp4).")
	String format = "mp4";

	@Option(names = "--official-seeding", description = "Seed once for the whole list, as the official script does (default: each entry from --seed).")
	boolean official;

	@Option(names = "--shard", paramLabel = "I/N", description = "Make only entries k with k mod N = I (default: from SLURM_ARRAY_TASK_ID and "
		+ "SLURM_ARRAY_TASK_COUNT in a SLURM array job, else all); other workers' claims are respected either way.")
	String shard;

	@Option(names = "--claim-timeout", paramLabel = "MINUTES", description = "Take over a claim on another host untouched for this long (default 30).")
	String claimTimeout;

	@Option(names = "--status", description = "Say how many entries are done, claimed (and by whom), failed and left, and exit; nothing is generated.")
	boolean status;

	@Option(names = "--strength", paramLabel = "X", description = "How far entries with a source_path move from their source, more than 0 up to 1 "
		+ "(default 0.6).")
	String strength;

	@Mixin
	GenerationOptions options;

	@Override
	public Integer call() {
		BatchRunner.Options o;
		Precision precision;
		BatchRunner.Shard theShard;
		java.time.Duration stale;
		try {
			if (list == null) throw new IllegalArgumentException("--list is required");
			if (dir == null) throw new IllegalArgumentException("--out is required");
			String f = format.toLowerCase(Locale.ROOT);
			if (!FORMATS.contains(f)) throw new IllegalArgumentException("--format '" + f + "' is not known; allowed: " + String.join(", ", FORMATS));
			double x = strength == null ? StyleCrafterPipeline.Source.DEFAULT_STRENGTH : GenerationOptions.number("--strength", strength);
			o = new BatchRunner.Options(options.settings(), official, f, options.fps(null), options.styleFrames(), x,
				options.widthGiven() != null || options.heightGiven() != null);
			precision = options.precision();
			theShard = shard != null ? BatchRunner.Shard.parse(shard) : BatchRunner.Shard.fromSlurm(System.getenv());
			stale = java.time.Duration.ofMinutes(claimTimeout == null ? BatchRunner.DEFAULT_CLAIM_MINUTES : Long.parseLong(claimTimeout.trim()));
			if (stale.isNegative() || stale.isZero()) throw new NumberFormatException();
		}
		catch (NumberFormatException e) {
			throw bad("--claim-timeout '" + claimTimeout + "' is not a number of minutes (1 or more)");
		}
		catch (IllegalArgumentException e) {
			throw bad(e.getMessage());
		}
		Path models = options.models();
		try {
			List<BatchList.Entry> entries = BatchList.read(list);
			if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException(dir + " is a file, not a folder");
			BatchRunner.Plan plan = BatchRunner.plan(entries, dir, o, models, theShard);
			if (status) {
				BatchRunner.Status st = BatchRunner.status(plan);
				out().println(st.summary());
				for (String w : st.workers()) out().println("  " + w);
				return 0;
			}
			err().println("batch of " + entries.size() + " entries" + (theShard == null ? "" : ", shard " + theShard.index() + "/" + theShard.count()) + " (worker "
				+ BatchRunner.worker() + "): " + plan.summary());
			if (plan.toRun() == 0) return finish(BatchRunner.run(null, plan, listener(entries.size(), System.nanoTime()), () -> false, stale));
			Device d = options.device().resolve();
			long t0 = System.nanoTime();
			StyleCrafterModel loaded = Terminal.load(models, d, precision, err(), name());
			if (loaded == null) return 1;
			try (StyleCrafterModel model = loaded) {
				err().printf(Locale.ROOT, "loaded model from %s in %.1f s%n", models, (System.nanoTime() - t0) / 1e9);
				return finish(BatchRunner.run(model, plan, listener(entries.size(), System.nanoTime()), () -> Thread.currentThread().isInterrupted(), stale));
			}
		}
		catch (GenerationCancelledException e) {
			return failed("stopped (" + e.getMessage() + "); run the same command again to resume");
		}
		catch (IOException | RuntimeException e) {
			return failed(e);
		}
	}

	private int finish(BatchRunner.Outcome outcome) {
		out().printf(Locale.ROOT, "batch done: %s; %s%n", outcome.summary(), outcome.index());
		return outcome.failed() > 0 ? 1 : 0;
	}

	/** Each entry's state as a line, and the steps of the running one on one line that rewrites itself. */
	private BatchRunner.Listener listener(int entries, long t1) {
		int[] finished = { 0 };
		ProgressClock clock = new ProgressClock();
		return new BatchRunner.Listener() {

			private int current;

			@Override
			public void entry(int k, int n, BatchList.Entry e, String state) {
				current = k;
				if (state.equals("running")) return;
				finished[0]++;
				if (state.startsWith("skipped") || state.startsWith("left to") || state.startsWith("claimed by")) return; // counted at the end: each worker
				// prints the entries it makes
				double per = (System.nanoTime() - t1) / 1e9 / finished[0];
				err().printf(Locale.ROOT, "%nentry %d/%d %s: %s (about %.0f s left for the batch)%n", k + 1, n, quoted(e), state, per * (n - finished[0]));
			}

			@Override
			public void progress(int done, int total, Stage stage) {
				clock.update(done, total, stage);
				err().printf(Locale.ROOT, "\rentry %d/%d %s %d/%d%s", current + 1, entries, stage, done, total,
					Double.isNaN(clock.secondsLeft()) ? "" : String.format(Locale.ROOT, ", %.0f s left in this entry", clock.secondsLeft()));
				err().flush();
			}
		};
	}

	/** How an entry is named in messages. */
	private static String quoted(BatchList.Entry e) {
		return "'" + (e.prompt().length() > 40 ? e.prompt().substring(0, 40) + "..." : e.prompt()) + "'";
	}
}
