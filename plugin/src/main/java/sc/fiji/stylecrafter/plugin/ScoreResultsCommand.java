package sc.fiji.stylecrafter.plugin;

import ij.measure.ResultsTable;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import sc.fiji.stylecrafter.batch.BatchList;
import sc.fiji.stylecrafter.batch.ResultScores;
import sc.fiji.stylecrafter.clip.ClipScorer;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.video.VideoReader;
import sc.fiji.stylecrafter.model.ModelLoader;
import sc.fiji.stylecrafter.task.Messages;

/**
 * Plugins > StyleCrafter > Score Results (StyleCrafter)...: the CLIP text, style and temporal scores of a batch's results (see
 * {@link ResultScores}), shown in ImageJ's Results table (one row per entry, then the means; a macro reads them with
 * {@code nResults}, {@code getResult("text", i)} and {@code getResultString("entry", i)}) and
 * written as {@code scores.csv} in the results folder.
 */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Score Results (StyleCrafter)...", weight = 13) }, headless = true)
public class ScoreResultsCommand extends ContextCommand implements MacroFriendly {

	/** The table: ImageJ's own results table, which macros read. */
	static final String TABLE = "Results";

	@Parameter
	private StyleCrafterService service;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private LogService log;

	@Parameter(label = "List (JSON)", style = FileWidget.OPEN_STYLE, persist = false)
	private File list;

	@Parameter(label = "Results folder", style = FileWidget.DIRECTORY_STYLE, persist = false)
	private File results;

	@Parameter(label = "Device", choices = { DeviceChoice.AUTO_LABEL, DeviceChoice.CPU_LABEL, DeviceChoice.GPU_LABEL }, persist = false)
	private String device = DeviceChoice.AUTO_LABEL;

	@Parameter(type = ItemIO.OUTPUT, label = "StyleCrafter scores")
	private String report;

	/** The table shown (kept for a caller in the same program; headless ImageJ shows no window to find it by). */
	ResultsTable table;

	@Override
	public void run() {
		try {
			if (list == null || results == null) throw new IllegalArgumentException("give the list file (list=) and the results folder (results=)");
			List<BatchList.Entry> entries = BatchList.read(list.toPath());
			Path folder = service.modelFolderOrDefault();
			List<ResultScores.Row> rows;
			try (FijiProgress progress = FijiProgress.start("StyleCrafter scores", "StyleCrafter: scoring " + entries.size() + " results", null, status, null)) {
				progress.status("loading OpenCLIP to score " + entries.size() + " results...");
				try (ClipScorer clip = ModelLoader.scorer(folder, DeviceChoice.parse(device))) {
					rows = ResultScores.score(clip, entries, results.toPath(), VideoReader.DEFAULT_STYLE_FRAMES);
				}
			}
			ResultsTable t = ResultsTable.getResultsTable(); // ImageJ's "Results": nResults, getResult() and saveAs("Results") in a macro
			t.reset();
			for (ResultScores.Row r : rows) {
				t.incrementCounter();
				t.addValue("entry", r.index());
				t.addValue("text", r.text());
				t.addValue("style", r.style());
				t.addValue("temporal", r.temporal());
				t.addValue("frames", r.frames());
				t.addValue("prompt", r.prompt());
				t.addValue("problem", r.problem() == null ? "" : r.problem());
			}
			double[] m = ResultScores.means(rows);
			t.incrementCounter();
			t.addValue("entry", "mean");
			t.addValue("text", m[0]);
			t.addValue("style", m[1]);
			t.addValue("temporal", m[2]);
			t.addValue("frames", rows.stream().mapToInt(ResultScores.Row::frames).sum());
			t.addValue("prompt", "");
			t.addValue("problem", "");
			t.show(TABLE);
			table = t;
			Path csv = results.toPath().resolve("scores.csv");
			ResultScores.writeCsv(csv, rows);
			report = String.format(java.util.Locale.ROOT, "means: text %.4f, style %.4f, temporal %.4f; %s", m[0], m[1], m[2], csv);
			if (status != null) status.showStatus("StyleCrafter: " + report);
			if (log != null) log.info("StyleCrafter scores: " + report);
			long failed = rows.stream().filter(r -> r.problem() != null).count();
			if (failed > 0) {
				UserMessages.fail(this, "Score Results: " + failed + " of " + rows.size() + " entries have no scores; the reason of each is in the table and "
					+ csv, log);
			}
		}
		catch (IOException | IllegalArgumentException e) {
			String message = "Score Results: " + Messages.of(e);
			UserMessages.fail(this, message, log);
		}
	}
}
