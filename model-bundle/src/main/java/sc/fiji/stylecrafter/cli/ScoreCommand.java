package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.batch.BatchList;
import sc.fiji.stylecrafter.batch.ResultScores;
import sc.fiji.stylecrafter.clip.ClipScorer;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.model.ModelLoader;
import sc.fiji.stylecrafter.setup.ModelSetup;
import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.cli.base.GenerationOptions;

/**
 * {@code stylecrafter score [--models DIR] --list FILE.json --results DIR [--csv FILE] [--device auto|cpu|gpu]}: the
 * CLIP text, style and temporal scores of a batch's results ({@link ResultScores}), as a table and a CSV
 * ({@code DIR/scores.csv} unless {@code --csv} says otherwise).
 */
@Command(name = "score", mixinStandardHelpOptions = true, description = "The paper's CLIP scores (text, style, temporal) of a batch's results.")
final class ScoreCommand extends CliCommand {

	@Option(names = "--models", paramLabel = "DIR", description = "The model folder (its open_clip_pytorch_model.bin).")
	Path models;

	@Option(names = "--list", paramLabel = "FILE.json", description = "The batch's list.")
	Path list;

	@Option(names = "--results", paramLabel = "DIR", description = "The batch's results folder.")
	Path results;

	@Option(names = "--csv", paramLabel = "FILE", description = "Where to write the scores (default DIR/scores.csv).")
	Path csv;

	@Option(names = "--device", paramLabel = "auto|cpu|gpu|gpu:N", description = "Where to compute (default auto; gpu:N: GPU number N of several).")
	String device = DeviceChoice.AUTO_LABEL;

	@Option(names = "--style-frames", paramLabel = "N", description = "Frames taken from each style video (default 3).")
	String styleFrames;

	@Override
	public Integer call() {
		int frames;
		DeviceChoice choice;
		try {
			if (list == null || results == null) throw new IllegalArgumentException("--list and --results are required");
			frames = GenerationOptions.styleFrames(styleFrames);
			choice = DeviceChoice.parse(device);
		}
		catch (IllegalArgumentException e) {
			throw bad(e.getMessage());
		}
		Path scores = csv != null ? csv : results.resolve("scores.csv");
		try {
			List<BatchList.Entry> entries = BatchList.read(list);
			if (!Files.isDirectory(results)) throw new IOException(results + " is not a folder of results");
			long t0 = System.nanoTime();
			List<ResultScores.Row> rows;
			try (ClipScorer clip = ModelLoader.scorer(models != null ? models : ModelSetup.defaultFolder(), choice)) {
				long t1 = System.nanoTime();
				rows = ResultScores.score(clip, entries, results, frames);
				int n = rows.stream().mapToInt(ResultScores.Row::frames).sum();
				err().printf(Locale.ROOT, "loaded OpenCLIP in %.1f s; scored %d frames in %.1f s%n", (t1 - t0) / 1e9, n, (System.nanoTime() - t1) / 1e9);
			}
			out().println("index\ttext\tstyle\ttemporal\tprompt");
			for (ResultScores.Row r : rows) {
				out().printf(Locale.ROOT, "%d\t%s\t%s\t%s\t%s%s%n", r.index(), f(r.text()), f(r.style()), f(r.temporal()), r.prompt(),
					r.problem() == null ? "" : "\t(" + r.problem() + ")");
			}
			double[] m = ResultScores.means(rows);
			out().printf(Locale.ROOT, "mean\t%s\t%s\t%s%n", f(m[0]), f(m[1]), f(m[2]));
			ResultScores.writeCsv(scores, rows);
			out().println("wrote " + scores);
			long failed = rows.stream().filter(r -> r.problem() != null).count();
			if (failed > 0) err().println(name() + ": " + failed + " of " + rows.size() + " entries have no scores; the reason of each is in the table and " + scores);
			return failed > 0 ? 1 : 0;
		}
		catch (IOException | RuntimeException e) {
			return failed(e);
		}
	}

	private static String f(double v) {
		return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
	}
}
