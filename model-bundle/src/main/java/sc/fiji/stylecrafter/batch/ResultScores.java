package sc.fiji.stylecrafter.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

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
	public record Row(int index, String prompt, String file, int frames, double text, double style, double temporal, String problem) {}

	/** The extensions a result may have, in the order they are looked for. */
	private static final List<String> KINDS = List.of("mp4", "webm", "gif", "tif", "tiff");

	private ResultScores() {}

	/** Scores every entry's result in {@code results} (as {@link BatchRunner} names them). */
	public static List<Row> score(ClipScorer clip, List<BatchList.Entry> entries, Path results, int styleFrames) {
		List<Row> rows = new ArrayList<>();
		for (BatchList.Entry e : entries) {
			Path file = find(results, BatchRunner.name(e));
			String shown = file == null ? "" : results.relativize(file).toString();
			if (e.problem() != null) {
				rows.add(new Row(e.index(), e.prompt(), shown, 0, Double.NaN, Double.NaN, Double.NaN, e.problem()));
				continue;
			}
			if (file == null) {
				rows.add(new Row(e.index(), e.prompt(), "", 0, Double.NaN, Double.NaN, Double.NaN, "no result named " + BatchRunner.name(e) + ".* in " + results));
				continue;
			}
			try {
				List<RgbImage> frames = frames(file);
				List<RgbImage> styles = VideoReader.styleReferences(e.styles(), styleFrames);
				float[][] f = clip.imageFeatures(frames);
				float[] t = clip.textFeatures(List.of(e.prompt()))[0];
				float[][] s = clip.imageFeatures(styles);
				double text = 0, style = 0, temporal = 0;
				for (float[] x : f) {
					text += ClipScorer.cosine(x, t);
					for (float[] y : s) style += ClipScorer.cosine(x, y);
				}
				for (int i = 0; i + 1 < f.length; i++) temporal += ClipScorer.cosine(f[i], f[i + 1]);
				rows.add(new Row(e.index(), e.prompt(), shown, f.length, text / f.length, style / (f.length * s.length),
					f.length > 1 ? temporal / (f.length - 1) : Double.NaN, null));
			}
			catch (IOException | RuntimeException x) {
				rows.add(new Row(e.index(), e.prompt(), shown, 0, Double.NaN, Double.NaN, Double.NaN, x.getMessage()));
			}
		}
		return rows;
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

	private static Path find(Path results, String name) {
		for (String k : KINDS) {
			Path p = results.resolve(name + "." + k);
			if (Files.isRegularFile(p)) return p;
		}
		Path folder = results.resolve(name);
		return Files.isDirectory(folder) ? folder : null;
	}

	/** The frames of a result: a video, a multi-page TIFF, or a folder of PNGs. */
	static List<RgbImage> frames(Path file) throws IOException {
		if (Files.isDirectory(file)) {
			List<RgbImage> out = new ArrayList<>();
			try (Stream<Path> s = Files.list(file)) {
				for (Path p : (Iterable<Path>) s.filter(x -> x.toString().endsWith(".png")).sorted()::iterator) out.add(RgbImage.read(p));
			}
			if (out.isEmpty()) throw new IOException(file + " holds no PNG frames");
			return out;
		}
		if (VideoFormat.isReadable(file)) return VideoReader.all(file);
		List<RgbImage> out = new ArrayList<>();
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			Iterator<ImageReader> it = ImageIO.getImageReaders(in);
			if (!it.hasNext()) throw new IOException(file + " is not an image or video this program reads");
			ImageReader r = it.next();
			try {
				r.setInput(in);
				for (int i = 0; i < r.getNumImages(true); i++) out.add(RgbImage.fromBufferedImage(r.read(i)));
			}
			finally {
				r.dispose();
			}
		}
		return out;
	}
}
