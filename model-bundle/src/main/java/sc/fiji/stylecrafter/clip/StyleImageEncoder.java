package sc.fiji.stylecrafter.clip;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.image.StylePreprocessor;

/**
 * From style reference images to the tokens the adapter takes: each image preprocessed (512 crop, 224 CLIP input),
 * encoded, and the tokens of all references concatenated along the token axis in the given order (PITFALLS 10):
 * {@code [1, n * tokens, width]}.
 */
public final class StyleImageEncoder {

	private final ClipVisionEncoder encoder;

	public StyleImageEncoder(ClipVisionEncoder encoder) {
		this.encoder = encoder;
	}

	/** The images as the model's CLIP input {@code [n, 3, size, size]}, on {@code scope}. */
	public NDArray preprocess(List<RgbImage> images, NDManager scope) {
		if (images.isEmpty()) throw new IllegalArgumentException("at least one style image is needed");
		int size = encoder.config().imageSize();
		float[] all = new float[images.size() * 3 * size * size];
		for (int i = 0; i < images.size(); i++) {
			RgbImage crop = StylePreprocessor.resizeAndCrop(images.get(i), StylePreprocessor.CROP);
			float[] x = StylePreprocessor.clipInput(StylePreprocessor.toModelRange(crop), StylePreprocessor.CROP, StylePreprocessor.CROP, size);
			System.arraycopy(x, 0, all, i * x.length, x.length);
		}
		return scope.create(all, new Shape(images.size(), 3, size, size));
	}

	/** {@code [1, n * tokens, width]} in the model dtype, on {@code scope}. */
	public NDArray encode(List<RgbImage> images, NDManager scope, ai.djl.Device device, ai.djl.ndarray.types.DataType dtype) {
		NDArray x = preprocess(images, scope).toDevice(device, false).toType(dtype, false);
		NDArray tokens = encoder.encode(x); // [n, T, W]
		Shape s = tokens.getShape();
		return tokens.reshape(1, s.get(0) * s.get(1), s.get(2)); // (b n) l c -> b (n l) c
	}
}
