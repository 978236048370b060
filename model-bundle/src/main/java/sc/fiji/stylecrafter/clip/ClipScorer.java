package sc.fiji.stylecrafter.clip;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.image.PilResize;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.image.StylePreprocessor;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * CLIP features as OpenCLIP computes them, for the paper's scores, from the model folder's
 * {@code open_clip_pytorch_model.bin} alone: the text tower with all its blocks, {@code ln_final}, the end-of-text
 * token, {@code text_projection}; the image tower's pooled class token and {@code visual.proj}. Images are prepared
 * as OpenCLIP's evaluation transform does: bicubic resize of the shorter side (Pillow), centre crop, CLIP mean and std.
 * Features are returned unnormalised; {@link #cosine} compares them.
 */
public final class ClipScorer implements AutoCloseable {

	private static final float[] MEAN = { 0.48145466f, 0.4578275f, 0.40821073f };
	private static final float[] STD = { 0.26862954f, 0.26130258f, 0.27577711f };

	private final NDManager manager;
	private final ClipTokenizer tokenizer;
	private final ClipTextEncoder text;
	private final NDArray textProjection;
	private final ClipVisionEncoder vision;
	private final NDArray visualProjection;

	/**
	 * The scorer over the OpenCLIP towers' weights (the loader's views: {@code text} with {@code text_projection},
	 * {@code visual} with {@code proj}); it owns {@code manager}, which holds them.
	 */
	public ClipScorer(NDManager manager, ClipTokenizer tokenizer, Weights text, Weights visual, ClipTextConfig textConfig, ClipVisionConfig visionConfig) {
		this.manager = manager;
		this.tokenizer = tokenizer;
		this.text = new ClipTextEncoder(text, textConfig, true);
		this.textProjection = text.get("text_projection");
		this.vision = new ClipVisionEncoder(visual, visionConfig);
		this.visualProjection = visual.get("proj");
	}

	/** Text features {@code [B, embed]} of token ids {@code [B, context]}: the end-of-text token's (the highest id). */
	public float[][] textFeatures(long[][] tokens) {
		try (NDManager scope = manager.newSubManager()) {
			int n = tokens.length, l = tokens[0].length;
			long[] flat = new long[n * l];
			for (int i = 0; i < n; i++) System.arraycopy(tokens[i], 0, flat, i * l, l);
			NDArray ids = scope.create(flat, new Shape(n, l)).toDevice(manager.getDevice(), false);
			NDArray x = text.encode(ids); // [B, L, W] after ln_final
			float[][] out = new float[n][];
			for (int i = 0; i < n; i++) {
				int eot = 0;
				for (int j = 1; j < l; j++) if (tokens[i][j] > tokens[i][eot]) eot = j;
				out[i] = x.get(new NDIndex(i + ", " + eot + ", :")).reshape(1, -1).matMul(textProjection).toType(DataType.FLOAT32, false).toFloatArray();
			}
			return out;
		}
	}

	/** Text features of prompts, tokenized as OpenCLIP does. */
	public float[][] textFeatures(List<String> prompts) {
		long[][] tokens = new long[prompts.size()][];
		for (int i = 0; i < tokens.length; i++) tokens[i] = tokenizer.tokenize(prompts.get(i), text.config().contextLength());
		return textFeatures(tokens);
	}

	/** Image features {@code [B, embed]} of prepared images {@code [B, 3, size, size]} (values as the towers take them). */
	public float[][] imageFeatures(float[] prepared, int count) {
		int size = vision.config().imageSize();
		try (NDManager scope = manager.newSubManager()) {
			NDArray x = scope.create(prepared, new Shape(count, 3, size, size)).toDevice(manager.getDevice(), false);
			NDArray f = vision.pooled(x).matMul(visualProjection).toType(DataType.FLOAT32, false);
			float[] all = f.toFloatArray();
			int d = (int) f.getShape().get(1);
			float[][] out = new float[count][d];
			for (int i = 0; i < count; i++) System.arraycopy(all, i * d, out[i], 0, d);
			return out;
		}
	}

	/** Image features of RGB images, prepared as OpenCLIP's evaluation transform does. */
	public float[][] imageFeatures(List<RgbImage> images) {
		int size = vision.config().imageSize(), n = size * size;
		float[] prepared = new float[images.size() * 3 * n];
		for (int k = 0; k < images.size(); k++) {
			RgbImage crop = StylePreprocessor.resizeAndCrop(images.get(k), size, PilResize.Filter.BICUBIC);
			byte[] rgb = crop.rgb();
			for (int i = 0; i < n; i++) {
				for (int c = 0; c < 3; c++) prepared[(k * 3 + c) * n + i] = ((rgb[i * 3 + c] & 0xFF) / 255f - MEAN[c]) / STD[c];
			}
		}
		return imageFeatures(prepared, images.size());
	}

	/** Cosine similarity. */
	public static double cosine(float[] a, float[] b) {
		double ab = 0, aa = 0, bb = 0;
		for (int i = 0; i < a.length; i++) {
			ab += (double) a[i] * b[i];
			aa += (double) a[i] * a[i];
			bb += (double) b[i] * b[i];
		}
		return ab / Math.sqrt(aa * bb);
	}

	@Override
	public void close() {
		manager.close();
	}
}
