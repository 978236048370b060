package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.batch.BatchList;
import sc.fiji.stylecrafter.batch.ResultScores;
import sc.fiji.stylecrafter.clip.ClipScorer;
import sc.fiji.stylecrafter.setup.ModelSetup;
import sc.fiji.stylecrafter.model.ModelLoader;

/**
 * {@code stylecrafter score [--models DIR] --list FILE.json --results DIR [--csv FILE] [--device auto|cpu|gpu]}: the
 * CLIP text, style and temporal scores of a batch's results ({@link ResultScores}), as a table and a CSV
 * ({@code DIR/scores.csv} unless {@code --csv} says otherwise).
 */
final class ScoreCommand {

	static final String USAGE = "usage: stylecrafter score [--models DIR] --list FILE.json --results DIR [--csv FILE] [--device auto|cpu|gpu] "
		+ "[--style-frames N]";

	private ScoreCommand() {}

	static int run(String[] a, PrintStream out, PrintStream err) {
		Map<String, String> one = new LinkedHashMap<>();
		for (int i = 0; i < a.length; i++) {
			if (!List.of("--models", "--list", "--results", "--csv", "--device", "--style-frames").contains(a[i]) || i + 1 >= a.length) {
				err.println("stylecrafter score: unknown option or missing value at '" + a[i] + "'");
				err.println(USAGE);
				return 2;
			}
			one.put(a[i], a[++i]);
		}
		if (!one.containsKey("--list") || !one.containsKey("--results")) {
			err.println("stylecrafter score: --list and --results are required");
			err.println(USAGE);
			return 2;
		}
		Path models = one.containsKey("--models") ? Path.of(one.get("--models")) : ModelSetup.defaultFolder();
		Path results = Path.of(one.get("--results"));
		Path csv = one.containsKey("--csv") ? Path.of(one.get("--csv")) : results.resolve("scores.csv");
		int styleFrames;
		try {
			styleFrames = GenerateCommand.styleFrames(one);
		}
		catch (IllegalArgumentException e) {
			err.println("stylecrafter score: " + e.getMessage());
			return 2;
		}
		try {
			List<BatchList.Entry> entries = BatchList.read(Path.of(one.get("--list")));
			if (!Files.isDirectory(results)) throw new IOException(results + " is not a folder of results");
			long t0 = System.nanoTime();
			List<ResultScores.Row> rows;
			try (ClipScorer clip = ModelLoader.scorer(models, DeviceChoice.parse(one.getOrDefault("--device", DeviceChoice.AUTO_LABEL)))) {
				long t1 = System.nanoTime();
				rows = ResultScores.score(clip, entries, results, styleFrames);
				int frames = rows.stream().mapToInt(ResultScores.Row::frames).sum();
				err.printf(Locale.ROOT, "loaded OpenCLIP in %.1f s; scored %d frames in %.1f s%n", (t1 - t0) / 1e9, frames, (System.nanoTime() - t1) / 1e9);
			}
			out.println("index\ttext\tstyle\ttemporal\tprompt");
			for (ResultScores.Row r : rows) {
				out.printf(Locale.ROOT, "%d\t%s\t%s\t%s\t%s%s%n", r.index(), f(r.text()), f(r.style()), f(r.temporal()), r.prompt(),
					r.problem() == null ? "" : "\t(" + r.problem() + ")");
			}
			double[] m = ResultScores.means(rows);
			out.printf(Locale.ROOT, "mean\t%s\t%s\t%s%n", f(m[0]), f(m[1]), f(m[2]));
			ResultScores.writeCsv(csv, rows);
			out.println("wrote " + csv);
			return rows.stream().anyMatch(r -> r.problem() != null) ? 1 : 0;
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter score: " + InspectCommand.oneLine(e.getMessage()));
			return 1;
		}
	}

	private static String f(double v) {
		return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
	}
}
