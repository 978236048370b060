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
import java.util.SortedMap;

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
import sc.fiji.stylecrafter.pipeline.SourceSize;
import sc.fiji.stylecrafter.task.ProgressListener;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.sched.DdimScheduler;
import sc.fiji.stylecrafter.sched.NoiseSource;
import sc.fiji.stylecrafter.sched.SeededNoise;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.video.SourceFrames;
import sc.fiji.stylecrafter.video.VideoReader;

/**
 * Runs a {@link BatchList} with one loaded model: one output per entry ({@code NNN_prompt-slug.ext}) with its JSON
 * sidecar, and {@code index.json} listing every entry's state. An entry that fails is recorded with its reason and the
 * rest goes on.
 *
 * <p>Resuming: the list is {@linkplain #plan planned} before the model loads. An entry is skipped only where its output
 * and sidecar are there and the sidecar's {@link BatchInputs} (prompt, every setting, format, model folder, style files
 * by content) equal this run's; otherwise it is generated again and the index says what differed. A list whose entries
 * are all written does not load the model at all.
 *
 * <p>The index: written when the run starts (entries not yet run say {@code pending}), brought up to date at most every
 * {@value #INDEX_SECONDS} seconds (and never taking more than a fifth of the run's time), and at the end, also when the
 * run is stopped; each write is whole (written beside it, then moved). A list of n entries costs time proportional to n.
 *
 * <p>Seeding: by default every entry starts from the given seed, so each can be reproduced alone with
 * {@code generate}. With official seeding the generator is seeded once for the whole list, as the official script
 * does, so entry k continues the random stream; a skipped entry then has its draws replayed (and thrown away) so the
 * entries after it get the same noise as in one uninterrupted run.
 */
public final class BatchRunner {

	/** The index file in the output folder. */
	public static final String INDEX = "index.json";
	/** The longest the index lags behind the run. */
	static final int INDEX_SECONDS = 10;
	/** Minutes a claim on another host may go untouched before it is taken over (see {@link Claims}). */
	public static final long DEFAULT_CLAIM_MINUTES = 30;

	/**
	 * @param extension the output kind: {@code mp4}, {@code webm}, {@code gif}, {@code tif}, or {@code png} for a folder
	 *          of PNGs per entry
	 * @param strength the restyle strength of entries with a {@code source_path}, in (0, 1]
	 * @param sizeGiven whether the settings' width and height were given: else an entry with a source is generated at
	 *          the size {@link SourceSize} gives for its source
	 */
	public record Options(GenerationSettings settings, boolean officialSeeding, String extension, int fps, int styleFrames, double strength,
		boolean sizeGiven)
	{
		public Options {
			if (!(strength > 0 && strength <= 1)) throw new IllegalArgumentException("strength " + strength + " is out of range; allowed: more than 0 up to 1");
		}

		/** Options for lists without sources to restyle (the default strength, the size as given). */
		public Options(GenerationSettings settings, boolean officialSeeding, String extension, int fps, int styleFrames) {
			this(settings, officialSeeding, extension, fps, styleFrames, StyleCrafterPipeline.Source.DEFAULT_STRENGTH, true);
		}
	}

	/** Told about each entry and each step. */
	public interface Listener extends ProgressListener {

		/** Entry {@code k} (0-based) of {@code n} changed state: "running", "done", "skipped: ...", "failed: ...". */
		void entry(int k, int n, BatchList.Entry entry, String state);
	}

	/**
	 * Counts of what happened, and the index file.
	 *
	 * @param elsewhere entries this worker left to others: claimed by another live worker, or in another shard
	 */
	public record Outcome(int done, int skipped, int failed, int elsewhere, Path index) {

		/** {@code 3 written, 2 skipped (already written with the same inputs), 0 failed, 1 left to other workers}. */
		public String summary() {
			return done + " written, " + skipped + " skipped (already written with the same inputs), " + failed + " failed"
				+ (elsewhere > 0 ? ", " + elsewhere + " left to other workers" : "");
		}
	}

	/**
	 * One worker's share of a list for schedulers (a SLURM array task): entry k belongs to shard {@code k mod count}.
	 * Claims still apply, so shards and extra workers can mix.
	 */
	public record Shard(int index, int count) {

		public Shard {
			if (count < 1 || index < 0 || index >= count) {
				throw new IllegalArgumentException("shard " + index + "/" + count + " is not possible; allowed: I/N with 0 <= I < N");
			}
		}

		boolean holds(int entry) {
			return entry % count == index;
		}

		/** {@code I/N}. */
		public static Shard parse(String s) {
			String[] p = s.split("/");
			try {
				if (p.length == 2) return new Shard(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
			}
			catch (NumberFormatException e) {
				// below
			}
			throw new IllegalArgumentException("shard '" + s + "' is not I/N (e.g. 0/4: entries 0, 4, 8, ... of a list split four ways)");
		}

		/**
		 * The shard of a SLURM array task ({@code SLURM_ARRAY_TASK_ID}, {@code _COUNT}, {@code _MIN}), or {@code null}
		 * outside one.
		 */
		public static Shard fromSlurm(java.util.Map<String, String> env) {
			String id = env.get("SLURM_ARRAY_TASK_ID"), count = env.get("SLURM_ARRAY_TASK_COUNT");
			if (id == null || count == null) return null;
			try {
				int min = env.containsKey("SLURM_ARRAY_TASK_MIN") ? Integer.parseInt(env.get("SLURM_ARRAY_TASK_MIN").trim()) : 0;
				return new Shard(Integer.parseInt(id.trim()) - min, Integer.parseInt(count.trim()));
			}
			catch (IllegalArgumentException e) {
				throw new IllegalArgumentException("the SLURM array variables (SLURM_ARRAY_TASK_ID=" + id + ", SLURM_ARRAY_TASK_COUNT=" + count
					+ ") do not give a shard; give --shard I/N", e);
			}
		}
	}

	/** What a planned entry needs. */
	public enum Action {
		/** Generate it (not written yet, or written with other inputs: {@link Planned#reason} says which). */
		RUN,
		/** Its output is there, made from the same inputs. */
		SKIP,
		/** It cannot run ({@link Planned#reason}). */
		FAIL,
		/** It belongs to another shard. */
		ELSEWHERE
	}

	/** One entry of a plan: its output, its inputs, and what it needs. */
	public record Planned(BatchList.Entry entry, Path output, SortedMap<String, String> inputs, Action action, String reason) {}

	/** A list checked against its output folder, before any model is loaded. */
	public record Plan(List<Planned> entries, Path folder, Options options) {

		public Plan {
			entries = List.copyOf(entries);
		}

		/** How many entries need the model. */
		public int toRun() {
			return (int) entries.stream().filter(p -> p.action() == Action.RUN).count();
		}

		/** {@code 3 to generate (1 with other inputs), 5 already written, 1 that cannot run}. */
		public String summary() {
			long run = toRun(), again = entries.stream().filter(p -> p.action() == Action.RUN && p.reason() != null).count();
			long skip = count(Action.SKIP), fail = count(Action.FAIL), elsewhere = count(Action.ELSEWHERE);
			return run + " to generate" + (again > 0 ? " (" + again + " written before with other inputs)" : "") + ", " + skip + " already written, " + fail
				+ " that cannot run" + (elsewhere > 0 ? ", " + elsewhere + " in other shards" : "");
		}

		private long count(Action a) {
			return entries.stream().filter(p -> p.action() == a).count();
		}
	}

	private BatchRunner() {}

	/**
	 * Checks every entry against {@code outDir} without loading the model: what is written with the same inputs is
	 * skipped, what cannot run (a malformed entry, a style file that cannot be read) fails with its reason.
	 *
	 * @param modelFolder the model folder the run will use (part of every entry's inputs)
	 */
	public static Plan plan(List<BatchList.Entry> entries, Path outDir, Options o, Path modelFolder) {
		return plan(entries, outDir, o, modelFolder, null);
	}

	/** As {@link #plan(List, Path, Options, Path)}, for one shard of the list ({@code null}: all of it). */
	public static Plan plan(List<BatchList.Entry> entries, Path outDir, Options o, Path modelFolder, Shard shard) {
		BatchInputs inputs = new BatchInputs();
		List<Planned> out = new ArrayList<>(entries.size());
		for (BatchList.Entry e : entries) {
			Path output = outDir.resolve(name(e) + (o.extension().equals("png") ? "" : "." + o.extension()));
			if (e.problem() != null) {
				out.add(new Planned(e, output, null, Action.FAIL, e.problem()));
				continue;
			}
			SortedMap<String, String> now;
			try {
				now = inputs.of(e, o, modelFolder);
			}
			catch (IOException x) {
				out.add(new Planned(e, output, null, shard != null && !shard.holds(e.index()) ? Action.ELSEWHERE : Action.FAIL, x.getMessage()));
				continue;
			}
			if (shard != null && !shard.holds(e.index())) { // its inputs kept, so that the index can say when another worker wrote it
				out.add(new Planned(e, output, now, Action.ELSEWHERE, "shard " + e.index() % shard.count() + "/" + shard.count()));
				continue;
			}
			String before = writtenWith(output, now);
			if (before == null) out.add(new Planned(e, output, now, Action.SKIP, null));
			else out.add(new Planned(e, output, now, Action.RUN, before.isEmpty() ? null : before));
		}
		return new Plan(out, outDir, o);
	}

	/**
	 * Runs the list (planned here, against {@code model}'s folder).
	 *
	 * @throws GenerationCancelledException when cancelled; the entries done so far are written and in the index
	 */
	public static Outcome run(StyleCrafterModel model, List<BatchList.Entry> entries, Path outDir, Options o, Listener listener, CancellationToken cancel)
		throws IOException
	{
		return run(model, plan(entries, outDir, o, model.folder()), listener, cancel);
	}

	/**
	 * Runs a plan.
	 *
	 * @param model the loaded model; may be {@code null} when {@link Plan#toRun()} is 0
	 * @throws GenerationCancelledException when cancelled; the entries done so far are written and in the index
	 */
	public static Outcome run(StyleCrafterModel model, Plan plan, Listener listener, CancellationToken cancel) throws IOException {
		return run(model, plan, listener, cancel, java.time.Duration.ofMinutes(DEFAULT_CLAIM_MINUTES));
	}

	/** This process as a worker: {@code host:pid}. */
	public static String worker() {
		return Claims.self().worker();
	}

	/**
	 * Where a list stands on disk, for many workers: entries written with this plan's inputs, claimed by live workers,
	 * failed (by the index, or unable to run), and left.
	 *
	 * @param workers the live workers holding claims, each with its entries
	 */
	public record Status(int entries, int done, int claimed, int failed, int left, List<String> workers) {

		public String summary() {
			return entries + " entries: " + done + " done, " + claimed + " claimed, " + failed + " failed, " + left + " left";
		}
	}

	/** Reads the state of a plan's entries from the output folder (outputs, claims, the index), changing nothing. */
	public static Status status(Plan plan) throws IOException {
		Claims claims = new Claims(plan.folder(), java.time.Duration.ofMinutes(DEFAULT_CLAIM_MINUTES));
		Map<Integer, JsonObject> indexed;
		try {
			indexed = readIndex(plan.folder());
		}
		catch (IOException e) {
			indexed = null; // an index being replaced or foreign: the outputs and claims still count
		}
		if (indexed == null) indexed = Map.of();
		int done = 0, claimed = 0, failed = 0, left = 0;
		Map<String, List<Integer>> holders = new java.util.TreeMap<>();
		for (Planned p : plan.entries()) {
			int k = p.entry().index();
			if (p.action() == Action.SKIP || (p.inputs() != null && writtenWith(p.output(), p.inputs()) == null)) done++;
			else if (p.action() == Action.FAIL || state(indexed.get(k)).startsWith("failed")) failed++;
			else {
				java.util.Optional<Claims.Holder> h = claims.heldBy(name(p.entry()));
				if (h.isPresent()) {
					claimed++;
					holders.computeIfAbsent(h.get().worker(), w -> new ArrayList<>()).add(k);
				}
				else left++;
			}
		}
		List<String> workers = new ArrayList<>();
		holders.forEach((w, ks) -> workers.add(w + ": entries " + ks));
		return new Status(plan.entries().size(), done, claimed, failed, left, workers);
	}

	/**
	 * The rows of a folder's {@code index.json} by entry, or {@code null} where there is none.
	 *
	 * @throws IOException when it cannot be read, or is not an index this program wrote
	 */
	static Map<Integer, JsonObject> readIndex(Path folder) throws IOException {
		Path file = folder.resolve(INDEX);
		if (!Files.isRegularFile(file)) return null;
		try {
			JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
			Map<Integer, JsonObject> out = new java.util.HashMap<>();
			for (com.google.gson.JsonElement r : o.getAsJsonArray("results")) {
				JsonObject row = r.getAsJsonObject();
				out.put(row.get("index").getAsInt(), row);
			}
			return out;
		}
		catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException | ClassCastException x) {
			throw new IOException(file + " is not a batch index this program wrote (" + x.getMessage() + "); move it away to score the results by their names", x);
		}
	}

	/** An index row's state, or {@code ""}. */
	static String state(JsonObject row) {
		return row != null && row.has("state") ? row.get("state").getAsString() : "";
	}

	/**
	 * Runs a plan, claiming each entry before generating it ({@link Claims}), so that other workers on the same folder
	 * skip it while this one lives.
	 *
	 * @param staleClaims how long a claim may go untouched before another worker takes it over
	 */
	public static Outcome run(StyleCrafterModel model, Plan plan, Listener listener, CancellationToken cancel, java.time.Duration staleClaims)
		throws IOException
	{
		if (model == null && plan.toRun() > 0) throw new IllegalArgumentException("the plan has entries to generate but no model was given");
		Options o = plan.options();
		Path outDir = plan.folder();
		Files.createDirectories(outDir);
		Claims claims = new Claims(outDir, staleClaims);
		StyleCrafterPipeline pipeline = model == null ? null : new StyleCrafterPipeline(model);
		NoiseSource shared = o.officialSeeding() && model != null ? new SeededNoise(o.settings().seed()) : null;
		int n = plan.entries().size();
		List<Map<String, Object>> index = new ArrayList<>(n);
		for (Planned p : plan.entries()) index.add(row(p, outDir));
		IndexWriter writer = new IndexWriter(plan, index, claims);
		writer.write(false);
		int done = 0, skipped = 0, failed = 0, elsewhere = 0;
		for (int k = 0; k < n; k++) {
			Planned p = plan.entries().get(k);
			BatchList.Entry e = p.entry();
			Map<String, Object> row = index.get(k);
			String state;
			switch (p.action()) {
				case FAIL -> {
					state = "failed: " + p.reason();
					failed++;
				}
				case SKIP -> {
					state = "skipped: already written";
					skipped++;
					if (shared != null) replayDraws(shared, model, e, o);
				}
				case ELSEWHERE -> {
					state = "left to " + p.reason();
					elsewhere++;
					if (shared != null) replayDraws(shared, model, e, o);
				}
				default -> {
					String name = name(e);
					java.util.Optional<Claims.Holder> holder = claims.claim(name);
					if (holder.isPresent()) {
						state = "claimed by " + holder.get().worker();
						elsewhere++;
						if (shared != null) replayDraws(shared, model, e, o);
						break;
					}
					try {
						if (writtenWith(p.output(), p.inputs()) == null) { // written by another worker since the plan
							state = "skipped: already written (by another worker)";
							skipped++;
							if (shared != null) replayDraws(shared, model, e, o);
							break;
						}
						listener.entry(e.index(), n, e, "running");
						List<RgbImage> styles = VideoReader.styleReferences(e.styles(), o.styleFrames());
						StyleCrafterPipeline.Request rq = request(e, o, styles);
						StyleCrafterPipeline.check(rq, model.config());
						ProgressListener beating = (d, t, stage) -> {
							claims.heartbeat(name);
							listener.progress(d, t, stage);
						};
						GenerationResult r = pipeline.generate(shared != null ? rq.withNoise(shared) : rq, beating, null, cancel)
							.with("batch_index", e.index()).with("seeding", o.officialSeeding() ? "official (one stream for the list)" : "per entry")
							.with(BatchInputs.KEY, p.inputs()).with("worker", claims.me().worker());
						FrameWriter.write(r, p.output(), o.fps());
						row.put("seconds", Math.round(r.record().seconds() * 100) / 100.0);
						row.put("worker", claims.me().worker());
						state = p.reason() == null ? "done" : "done (again: written before with " + p.reason() + ")";
						done++;
					}
					catch (GenerationCancelledException c) {
						row.put("state", "not run: the batch was stopped");
						writer.write(true);
						throw c;
					}
					catch (IOException | IllegalArgumentException | IllegalStateException x) {
						state = "failed: " + (x.getMessage() == null ? x.toString() : x.getMessage());
						failed++;
					}
					finally {
						claims.release(name);
					}
				}
			}
			row.put("state", state);
			listener.entry(e.index(), n, e, state);
			writer.maybeWrite();
		}
		writer.write(true);
		return new Outcome(done, skipped, failed, elsewhere, outDir.resolve(INDEX));
	}

	/** An entry's index row as planned: its state is {@code pending} until it has run. */
	private static Map<String, Object> row(Planned p, Path outDir) {
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("index", p.entry().index());
		row.put("prompt", p.entry().prompt());
		row.put("styles", p.entry().styles().stream().map(Path::toString).toList());
		if (p.entry().source() != null) row.put("source", p.entry().source().toString());
		row.put("output", outDir.relativize(p.output()).toString());
		row.put("state", "pending");
		return row;
	}

	/** {@code NNN_} and the prompt's first words in lower case, letters and digits only. */
	public static String name(BatchList.Entry e) {
		String slug = e.prompt().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
		if (slug.length() > 40) slug = slug.substring(0, 40).replaceAll("-[^-]*$", "");
		return String.format(Locale.ROOT, "%03d_%s", e.index(), slug.isEmpty() ? "entry" : slug);
	}

	/**
	 * {@code null} when the output and its sidecar are there and the sidecar was written with {@code inputs}; else why
	 * not, in words ({@code ""} when nothing is there).
	 */
	static String writtenWith(Path out, Map<String, String> inputs) {
		Path sidecar = FrameWriter.sidecarOf(out);
		if (!Files.exists(out) || !Files.isRegularFile(sidecar)) return "";
		try {
			if (Files.isRegularFile(out) && Files.size(out) == 0) return "an empty output";
			JsonObject o = JsonParser.parseString(Files.readString(sidecar, StandardCharsets.UTF_8)).getAsJsonObject();
			Map<String, String> before = BatchInputs.fromSidecar(o);
			if (before == null) return "inputs not recorded (an earlier version)";
			String diff = BatchInputs.difference(before, inputs);
			return diff.isEmpty() ? null : diff;
		}
		catch (IOException | JsonParseException | IllegalStateException | UnsupportedOperationException x) {
			return "an unreadable sidecar"; // generate again
		}
	}

	/**
	 * An entry's request: from noise with the batch's settings, or restyling its source, whose frames (at most
	 * {@link GenerationSettings#MAX_FRAMES}; the first for an image) give the frame count and, where the size was not
	 * given, the size ({@link SourceSize}).
	 *
	 * @param styles the entry's style references, or {@code null} where only the settings and the source are wanted
	 */
	static StyleCrafterPipeline.Request request(BatchList.Entry e, Options o, List<RgbImage> styles) throws IOException {
		GenerationSettings s = o.settings();
		StyleCrafterPipeline.Request rq = new StyleCrafterPipeline.Request(e.prompt(), styles, s).named(e.styles().stream().map(Path::toString).toList());
		if (e.source() == null) return rq;
		int limit = s.mode() == Mode.IMAGE ? 1 : GenerationSettings.MAX_FRAMES;
		SourceFrames.Read frames = SourceFrames.read(e.source(), limit, (w, h) -> {
			SourceSize size = o.sizeGiven() ? new SourceSize(s.width(), s.height()) : SourceSize.of(s.mode(), w, h, null, null);
			return new int[] { size.width(), size.height() };
		});
		if (frames.total() > limit && s.mode() == Mode.VIDEO) {
			throw new IOException("the source " + e.source() + " has " + frames.total() + " frames; at most " + limit + " can be restyled at once");
		}
		RgbImage first = frames.kept().get(0);
		GenerationSettings.Builder b = s.toBuilder().width(first.width()).height(first.height());
		if (s.mode() == Mode.VIDEO) b.frames(frames.kept().size());
		return new StyleCrafterPipeline.Request(e.prompt(), styles, b.build(), rq.styleNames(), null,
			new StyleCrafterPipeline.Source(frames.kept(), o.strength(), e.source().toString()));
	}

	/**
	 * Draws (and frees) what the entry's generation would draw: from noise the initial latent, then one per step; from
	 * a source one per source frame (its posterior), one to noise the latent, then one per step it runs.
	 */
	static void replayDraws(NoiseSource noise, StyleCrafterModel model, BatchList.Entry e, Options o) throws IOException {
		StyleCrafterPipeline.Request rq = request(e, o, null);
		GenerationSettings s = rq.settings();
		int down = model.config().vae().downsampling(), z = model.config().unet().inChannels();
		Shape shape = new Shape(1, z, s.frames(), s.height() / down, s.width() / down);
		int steps = DdimScheduler.count(model.schedule(), s.steps());
		try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
			if (rq.source() == null) noise.next(shape, m).close();
			else {
				for (int f = 0; f < s.frames(); f++) noise.next(new Shape(1, z, s.height() / down, s.width() / down), m).close();
				noise.next(shape, m).close();
				steps = rq.source().steps(steps);
			}
			for (int i = 0; i < steps; i++) noise.next(shape, m).close();
		}
	}

	/**
	 * Writes the index whole, at the start, at most every {@value #INDEX_SECONDS} s (and a fifth of the run's time) and
	 * at the end. Other workers may write it too: before a write that is not the first, the entries this worker has
	 * not finished are looked up on disk (written with the same inputs: done; claimed: by whom), so the last writer's
	 * index holds every worker's entries. Each write goes to a name unique to the worker and is moved into place.
	 */
	private static final class IndexWriter {

		private final Plan plan;
		/** One row per planned entry, in its order. */
		private final List<Map<String, Object>> rows;
		private final Claims claims;
		private long last = System.nanoTime();
		private long cost;

		IndexWriter(Plan plan, List<Map<String, Object>> rows, Claims claims) {
			this.plan = plan;
			this.rows = rows;
			this.claims = claims;
		}

		void maybeWrite() throws IOException {
			long since = System.nanoTime() - last;
			if (since >= INDEX_SECONDS * 1_000_000_000L && since >= 4 * cost) write(true);
		}

		/** @param refresh look up the entries left to others on disk first */
		void write(boolean refresh) throws IOException {
			long t0 = System.nanoTime();
			if (refresh) refresh();
			Path outDir = plan.folder();
			JsonObject o = new JsonObject();
			o.addProperty("entries", rows.size());
			o.add("results", new GsonBuilder().create().toJsonTree(rows));
			Path tmp = outDir.resolve("." + INDEX + "." + claims.me().host() + "-" + claims.me().pid() + "-" + System.nanoTime() + ".part");
			try {
				Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n", StandardCharsets.UTF_8);
				Files.move(tmp, outDir.resolve(INDEX), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (IOException e) {
				Files.deleteIfExists(tmp);
				throw new IOException("could not write the batch index " + outDir.resolve(INDEX) + " (" + e.getMessage() + "); the results written so far are "
					+ "kept, and running the batch again resumes", e);
			}
			last = System.nanoTime();
			cost = last - t0;
		}

		private void refresh() {
			for (int k = 0; k < rows.size(); k++) {
				Map<String, Object> row = rows.get(k);
				String state = String.valueOf(row.get("state"));
				if (!state.equals("pending") && !state.startsWith("left to") && !state.startsWith("claimed by")) continue;
				Planned p = plan.entries().get(k);
				if (p.inputs() != null && writtenWith(p.output(), p.inputs()) == null) {
					row.put("state", "done (by another worker)");
					continue;
				}
				java.util.Optional<Claims.Holder> h = claims.heldBy(name(p.entry()));
				if (h.isPresent()) row.put("state", "claimed by " + h.get().worker());
			}
		}
	}
}
