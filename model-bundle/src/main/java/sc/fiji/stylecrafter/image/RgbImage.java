package sc.fiji.stylecrafter.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/**
 * An 8-bit RGB image, row-major, channels interleaved ({@code rgb[(y * width + x) * 3 + c]}): the form in which a
 * style reference enters the core, as PIL's {@code Image.convert("RGB")} would give it.
 */
public record RgbImage(int width, int height, byte[] rgb) {

	/** Largest side accepted for a style reference (the reference is reduced to 512 anyway). */
	public static final int MAX_SIDE = 16384;

	public RgbImage {
		if (width < 1 || height < 1) throw new IllegalArgumentException("image size " + width + "x" + height + " is empty; a style image needs at least 1x1 pixels");
		if (width > MAX_SIDE || height > MAX_SIDE) {
			throw new IllegalArgumentException("image size " + width + "x" + height + " is too large; a style image may be at most " + MAX_SIDE + " pixels on a side");
		}
		if (rgb.length != width * height * 3) throw new IllegalArgumentException("expected " + (width * height * 3) + " RGB bytes, got " + rgb.length);
	}

	public int get(int x, int y, int c) {
		return rgb[(y * width + x) * 3 + c] & 0xFF;
	}

	/** Reads a PNG/JPEG/BMP/GIF file; gray is replicated to RGB and alpha is dropped, as PIL's convert("RGB") does. */
	public static RgbImage read(Path file) throws IOException {
		if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "style image not found");
		BufferedImage img = ImageIO.read(file.toFile());
		if (img == null) throw new IOException(file + " is not an image this program can read (allowed: PNG, JPEG, BMP, GIF)");
		return fromBufferedImage(img);
	}

	/**
	 * Converts a decoded image. Gray images keep their values (8-bit as is, 16-bit scaled to 8-bit by 255/65535) and
	 * are replicated to three channels; colour images go through their colour model to sRGB; alpha is dropped.
	 */
	public static RgbImage fromBufferedImage(BufferedImage img) {
		int w = img.getWidth(), h = img.getHeight();
		byte[] out = new byte[w * h * 3];
		if (img.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY) {
			// Java would apply a linear-gray to sRGB curve here; PIL (and Fiji) keep the gray values.
			java.awt.image.Raster r = img.getRaster();
			int bits = img.getColorModel().getComponentSize(0);
			double max = (1L << bits) - 1;
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					int v = bits == 8 ? r.getSample(x, y, 0) : (int) Math.round(r.getSample(x, y, 0) * 255.0 / max);
					int i = (y * w + x) * 3;
					out[i] = out[i + 1] = out[i + 2] = (byte) v;
				}
			}
			return new RgbImage(w, h, out);
		}
		int[] row = new int[w];
		for (int y = 0; y < h; y++) {
			img.getRGB(0, y, w, 1, row, 0, w); // sRGB, alpha ignored below
			for (int x = 0; x < w; x++) {
				int p = row[x], i = (y * w + x) * 3;
				out[i] = (byte) (p >> 16);
				out[i + 1] = (byte) (p >> 8);
				out[i + 2] = (byte) p;
			}
		}
		return new RgbImage(w, h, out);
	}
}
