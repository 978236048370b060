package sc.fiji.stylecrafter.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.output.FrameWriter;
import sc.fiji.stylecrafter.task.GenerationCancelledException;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.task.ProgressListener;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.sched.DdimScheduler;
import sc.fiji.stylecrafter.sched.NoiseSource;
import sc.fiji.stylecrafter.sched.SeededNoise;
import sc.fiji.stylecrafter.video.VideoReader;

/**
 * Runs a {@link BatchList} with one loaded model: one output per entry ({@code NNN_prompt-slug.ext}) with its JSON
 * sidecar, and {@code index.json} listing every entry's state, rewritten after each entry. An entry that fails is
 * recorded with its reason and the rest goes on; an entry whose output and sidecar are already there (for the same
 * prompt and seed) is skipped, so a stopped batch resumes where it stopped.
 *
 * <p>Seeding: by default every entry starts from the given seed, so each can be reproduced alone with
 * {@code generate}. With official seeding the generator is seeded once for the whole list, as the official script
 * does, so entry k continues the random stream; a skipped entry then has its draws replayed (and thrown away) so the
 * entries after it get the same noise as in one uninterrupted run.
 */
public final class BatchRunner {

	/** The index file in the output folder. */
	public static final String INDEX = "index.json";

	/**
	 * @param extension the output kind: {@code mp4}, {@code webm}, {@code gif}, {@code tif}, or {@code png} for a folder
	 *          of PNGs per entry
	 */
	public record Options(GenerationSettings settings, boolean officialSeeding, String extension, int fps, int styleFrames) {}

	/** Told about each entry and each step. */
	public interface Listener extends ProgressListener {

		/** Entry {@code k} (0-based) of {@code n} changed state: "running", "done", "skipped: ...", "failed: ...". */
		void entry(int k, int n, BatchList.Entry entry, String state);
	}

	/** Counts of what happened, and the index file. */
	public record Outcome(int done, int skipped, int failed, Path index) {}

	private BatchRunner() {}

	/**
	 * Runs the list.
	 *
	 * @throws GenerationCancelledException when cancelled; the entries done so far are written and in the index
	 */
	public static Outcome run(StyleCrafterModel model, List<BatchList.Entry> entries, Path outDir, Options o, Listener listener, CancellationToken cancel)
		throws IOException
	{
		Files.createDirectories(outDir);
		StyleCrafterPipeline pipeline = new StyleCrafterPipeline(model);
		NoiseSource shared = o.officialSeeding() ? new SeededNoise(o.settings().seed()) : null;
		List<Map<String, Object>> index = new ArrayList<>();
		int done = 0, skipped = 0, failed = 0;
		for (BatchList.Entry e : entries) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("index", e.index());
			row.put("prompt", e.prompt());
			row.put("styles", e.styles().stream().map(Path::toString).toList());
			index.add(row);
			Path out = outDir.resolve(name(e) + (o.extension().equals("png") ? "" : "." + o.extension()));
			row.put("output", outDir.relativize(out).toString());
			String state;
			if (e.problem() != null) {
				state = "failed: " + e.problem();
				failed++;
			}
			else if (alreadyDone(out, e, o.settings())) {
				state = "skipped: already written";
				skipped++;
				if (shared != null) replayDraws(shared, model, o.settings());
			}
			else {
				listener.entry(e.index(), entries.size(), e, "running");
				try {
					List<RgbImage> styles = VideoReader.styleReferences(e.styles(), o.styleFrames());
					StyleCrafterPipeline.Request rq = new StyleCrafterPipeline.Request(e.prompt(), styles, o.settings())
						.named(e.styles().stream().map(Path::toString).toList());
					StyleCrafterPipeline.check(rq, model.config());
					GenerationResult r = pipeline.generate(shared != null ? rq.withNoise(shared) : rq, listener, null, cancel)
						.with("batch_index", e.index()).with("seeding", o.officialSeeding() ? "official (one stream for the list)" : "per entry");
					FrameWriter.write(r, out, o.fps());
					row.put("seconds", Math.round(r.record().seconds() * 100) / 100.0);
					state = "done";
					done++;
				}
				catch (GenerationCancelledException c) {
					row.put("state", "not run: the batch was stopped");
					writeIndex(outDir, index, entries.size());
					throw c;
				}
				catch (IOException | IllegalArgumentException | IllegalStateException x) {
					state = "failed: " + x.getMessage();
					failed++;
				}
			}
			row.put("state", state);
			listener.entry(e.index(), entries.size(), e, state);
			writeIndex(outDir, index, entries.size());
		}
		return new Outcome(done, skipped, failed, outDir.resolve(INDEX));
	}

	/** {@code NNN_} and the prompt's first words in lower case, letters and digits only. */
	public static String name(BatchList.Entry e) {
		String slug = e.prompt().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
		if (slug.length() > 40) slug = slug.substring(0, 40).replaceAll("-[^-]*$", "");
		return String.format(Locale.ROOT, "%03d_%s", e.index(), slug.isEmpty() ? "entry" : slug);
	}

	/** The output and its sidecar are there, and the sidecar is for this prompt and seed. */
	static boolean alreadyDone(Path out, BatchList.Entry e, GenerationSettings s) {
		Path sidecar = FrameWriter.sidecarOf(out);
		if (!Files.exists(out) || !Files.isRegularFile(sidecar)) return false;
		try {
			if (Files.isRegularFile(out) && Files.size(out) == 0) return false;
			JsonObject o = JsonParser.parseString(Files.readString(sidecar, StandardCharsets.UTF_8)).getAsJsonObject();
			return e.prompt().equals(o.get("prompt").getAsString()) && o.get("seed").getAsLong() == s.seed() && o.get("steps").getAsInt() == s.steps();
		}
		catch (IOException | JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException x) {
			return false; // an unreadable sidecar: generate again
		}
	}

	/** Draws (and frees) what a generation with {@code s} would draw: the initial latent, then one per step. */
	static void replayDraws(NoiseSource noise, StyleCrafterModel model, GenerationSettings s) {
		int down = model.config().vae().downsampling();
		Shape shape = new Shape(1, model.config().unet().inChannels(), s.frames(), s.height() / down, s.width() / down);
		int draws = 1 + DdimScheduler.count(model.schedule(), s.steps());
		try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
			for (int i = 0; i < draws; i++) noise.next(shape, m).close();
		}
	}

	private static void writeIndex(Path outDir, List<Map<String, Object>> rows, int total) throws IOException {
		JsonObject o = new JsonObject();
		o.addProperty("entries", total);
		o.add("results", new GsonBuilder().create().toJsonTree(rows));
		Path tmp = outDir.resolve(INDEX + ".part");
		Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n", StandardCharsets.UTF_8);
		Files.move(tmp, outDir.resolve(INDEX), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}
}
