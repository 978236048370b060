package sc.fiji.stylecrafter.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import com.google.gson.JsonObject;

import sc.fiji.stylecrafter.clip.ClipScorer;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.video.VideoFormat;
import sc.fiji.stylecrafter.video.VideoReader;

/**
 * The paper's CLIP scores of a batch's results, per entry and as means: text (each frame against its prompt,
 * averaged), style (each frame against each style reference, averaged) and temporal consistency (consecutive frames,
 * averaged; none for a single image). Cosine similarities of OpenCLIP ViT-H/14 features ({@link ClipScorer}), in
 * [-1, 1] (papers often print them times 100).
 */
public final class ResultScores {

	/** One entry's scores, or the reason it has none. */
	public record Row(int index, String prompt, String file, int frames, double text, double style, double temporal, String problem) {

		/** A row without scores: the entry counts as failed. */
		static Row failed(BatchList.Entry e, String file, String problem) {
			return new Row(e.index(), e.prompt(), file, 0, Double.NaN, Double.NaN, Double.NaN, problem);
		}
	}

	/** The extensions a result may have. */
	private static final List<String> KINDS = List.of("mp4", "webm", "gif", "tif", "tiff");
	/** Frames given to CLIP at once: memory stays flat however many frames a result has. */
	static final int CHUNK = 8;

	/** What the scores need of CLIP (the real {@link ClipScorer}; a test may count its calls). */
	interface Features {

		float[][] images(List<RgbImage> images);

		float[] text(String prompt);
	}

	private ResultScores() {}

	/**
	 * Scores every entry's result in {@code results}: the output the folder's {@code index.json} names for it (as
	 * {@link BatchRunner} writes it), or, without an index, the one result named for the entry (several candidates
	 * are refused rather than one guessed). An entry without scores has its reason.
	 */
	public static List<Row> score(ClipScorer clip, List<BatchList.Entry> entries, Path results, int styleFrames) throws IOException {
		return score(new Features() {

			@Override
			public float[][] images(List<RgbImage> images) {
				return clip.imageFeatures(images);
			}

			@Override
			public float[] text(String prompt) {
				return clip.textFeatures(List.of(prompt))[0];
			}
		}, entries, results, styleFrames);
	}

	static List<Row> score(Features clip, List<BatchList.Entry> entries, Path results, int styleFrames) throws IOException {
		Map<Integer, JsonObject> index = BatchRunner.readIndex(results);
		List<Row> rows = new ArrayList<>();
		for (BatchList.Entry e : entries) {
			if (e.problem() != null) {
				rows.add(Row.failed(e, "", e.problem()));
				continue;
			}
			Path file;
			try {
				file = index != null ? fromIndex(index, e, results) : find(results, BatchRunner.name(e));
			}
			catch (IOException x) {
				rows.add(Row.failed(e, "", x.getMessage()));
				continue;
			}
			String shown = results.relativize(file).toString();
			try {
				float[] t = clip.text(e.prompt());
				float[][] s = clip.images(VideoReader.styleReferences(e.styles(), styleFrames));
				Sums sums = new Sums(t, s);
				List<RgbImage> chunk = new ArrayList<>(CHUNK);
				frames(file, frame -> {
					chunk.add(frame);
					if (chunk.size() == CHUNK) {
						sums.add(clip.images(chunk));
						chunk.clear();
					}
				});
				if (!chunk.isEmpty()) sums.add(clip.images(chunk));
				int f = sums.frames;
				rows.add(new Row(e.index(), e.prompt(), shown, f, sums.textSum / f, sums.styleSum / ((double) f * s.length), f > 1 ? sums.temporalSum / (f - 1) : Double.NaN,
					null));
			}
			catch (IOException | RuntimeException x) {
				rows.add(Row.failed(e, shown, x.getMessage() == null ? x.toString() : x.getMessage()));
			}
		}
		return rows;
	}

	/** Running sums of one result's scores, frame by frame (only the last frame's features are kept). */
	private static final class Sums {

		final float[] text;
		final float[][] styles;
		float[] previous;
		int frames;
		double textSum, styleSum, temporalSum;

		Sums(float[] text, float[][] styles) {
			this.text = text;
			this.styles = styles;
		}

		void add(float[][] features) {
			for (float[] x : features) {
				textSum += ClipScorer.cosine(x, text);
				for (float[] y : styles) styleSum += ClipScorer.cosine(x, y);
				if (previous != null) temporalSum += ClipScorer.cosine(previous, x);
				previous = x;
				frames++;
			}
		}
	}

	/** The output the index names for {@code e}, inside {@code results}, written and for the same prompt. */
	private static Path fromIndex(Map<Integer, JsonObject> index, BatchList.Entry e, Path results) throws IOException {
		JsonObject row = index.get(e.index());
		if (row == null) throw new IOException("the batch index has no entry " + e.index() + " (is it the index of another list?)");
		String prompt = row.has("prompt") ? row.get("prompt").getAsString() : null;
		if (!e.prompt().equals(prompt)) throw new IOException("the batch index's entry " + e.index() + " is for another prompt ('" + prompt + "')");
		String state = BatchRunner.state(row);
		if (!state.startsWith("done") && !state.startsWith("skipped")) throw new IOException("not written by the batch (" + state + ")");
		Path root = results.toAbsolutePath().normalize();
		Path file = root.resolve(row.get("output").getAsString()).normalize();
		if (!file.startsWith(root) || file.equals(root)) throw new IOException("the batch index names " + file + ", outside the results folder; refused");
		if (!Files.exists(file)) throw new IOException("the output the batch index names, " + root.relativize(file) + ", is missing");
		return file;
	}

	/** The one result named {@code name} in {@code results}; none or several are refused, naming them. */
	private static Path find(Path results, String name) throws IOException {
		List<Path> found = new ArrayList<>();
		for (String k : KINDS) {
			Path p = results.resolve(name + "." + k);
			if (Files.isRegularFile(p)) found.add(p);
		}
		Path folder = results.resolve(name);
		if (Files.isDirectory(folder)) found.add(folder);
		if (found.isEmpty()) throw new IOException("no result named " + name + ".* in " + results);
		if (found.size() > 1) {
			throw new IOException("several results for this entry (" + String.join(", ", found.stream().map(p -> p.getFileName().toString()).toList())
				+ ") and no index.json to say which the batch wrote; remove the stale ones");
		}
		return found.get(0);
	}

	/** The mean of each score over the entries that have it. */
	public static double[] means(List<Row> rows) {
		double[] sum = new double[3];
		int[] n = new int[3];
		for (Row r : rows) {
			double[] v = { r.text(), r.style(), r.temporal() };
			for (int i = 0; i < 3; i++) {
				if (!Double.isNaN(v[i])) {
					sum[i] += v[i];
					n[i]++;
				}
			}
		}
		return new double[] { n[0] == 0 ? Double.NaN : sum[0] / n[0], n[1] == 0 ? Double.NaN : sum[1] / n[1], n[2] == 0 ? Double.NaN : sum[2] / n[2] };
	}

	/** Writes the rows and the means as CSV. */
	public static void writeCsv(Path csv, List<Row> rows) throws IOException {
		StringBuilder sb = new StringBuilder("index,prompt,file,frames,text_score,style_score,temporal_score,problem\n");
		for (Row r : rows) {
			sb.append(r.index()).append(',').append(quote(r.prompt())).append(',').append(quote(r.file())).append(',').append(r.frames()).append(',')
				.append(num(r.text())).append(',').append(num(r.style())).append(',').append(num(r.temporal())).append(',')
				.append(quote(r.problem() == null ? "" : r.problem())).append('\n');
		}
		double[] m = means(rows);
		sb.append("mean,,,,").append(num(m[0])).append(',').append(num(m[1])).append(',').append(num(m[2])).append(",\n");
		Path tmp = csv.resolveSibling(csv.getFileName() + ".part");
		Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
		Files.move(tmp, csv, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
	}

	private static String num(double v) {
		return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
	}

	private static String quote(String s) {
		return '"' + s.replace("\"", "\"\"") + '"';
	}

	/** Hands the frames of a result (a video, a multi-page TIFF, or a folder of PNGs) to {@code sink} one by one. */
	static void frames(Path file, Consumer<RgbImage> sink) throws IOException {
		if (Files.isDirectory(file)) {
			int n = 0;
			try (Stream<Path> s = Files.list(file)) {
				for (Path p : (Iterable<Path>) s.filter(x -> x.toString().endsWith(".png")).sorted()::iterator) {
					sink.accept(RgbImage.read(p));
					n++;
				}
			}
			if (n == 0) throw new IOException(file + " holds no PNG frames");
			return;
		}
		if (VideoFormat.isReadable(file)) {
			VideoReader.forEachFrame(file, sink);
			return;
		}
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			Iterator<ImageReader> it = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
			if (!it.hasNext()) throw new IOException(file + " is not an image or video this program reads");
			ImageReader r = it.next();
			try {
				r.setInput(in);
				int n = r.getNumImages(true);
				if (n == 0) throw new IOException(file + " holds no images");
				for (int i = 0; i < n; i++) sink.accept(RgbImage.fromBufferedImage(r.read(i)));
			}
			finally {
				r.dispose();
			}
		}
	}
}
