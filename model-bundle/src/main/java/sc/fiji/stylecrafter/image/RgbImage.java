package sc.fiji.stylecrafter.image;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

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

	/**
	 * Reads a PNG/JPEG/BMP/GIF file; gray is replicated to RGB and alpha is dropped, as PIL's convert("RGB") does. The
	 * size is read from the header first: an image over {@link #MAX_SIDE} on a side is refused before it is decoded.
	 * CMYK and YCCK JPEGs are refused (Java's decoder gets their colours wrong).
	 */
	public static RgbImage read(Path file) throws IOException {
		if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "style image not found");
		int jpegComponents = jpegComponents(file);
		if (jpegComponents == 4) {
			throw new IOException(file + " is a CMYK JPEG, which is not supported: convert it to RGB first (in Fiji: Image > Type > RGB Color, "
				+ "then save it as PNG or JPEG)");
		}
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
			if (!readers.hasNext()) throw new IOException(file + " is not an image this program can read (allowed: PNG, JPEG, BMP, GIF)");
			ImageReader reader = readers.next();
			try {
				reader.setInput(in, true, true);
				int w = reader.getWidth(0), h = reader.getHeight(0);
				if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE) {
					throw new IOException(file + " is " + w + "x" + h + " pixels; a style image may have 1 to " + MAX_SIDE
						+ " pixels on a side (it is reduced to 512 anyway): scale it down first");
				}
				return fromBufferedImage(reader.read(0));
			}
			catch (IOException e) {
				throw e.getMessage() != null && e.getMessage().startsWith(file.toString()) ? e
					: new IOException(file + " cannot be decoded (a truncated or corrupt image?): " + e.getMessage(), e);
			}
			catch (RuntimeException e) { // decoders throw index and state errors on damaged files
				throw new IOException(file + " cannot be decoded (a truncated or corrupt image?): " + e, e);
			}
			finally {
				reader.dispose();
			}
		}
	}

	/** The number of colour components a JPEG's frame header declares; -1 if the file is not a JPEG or has none. */
	static int jpegComponents(Path file) throws IOException {
		try (DataInputStream d = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
			if (d.readUnsignedShort() != 0xFFD8) return -1;
			while (true) {
				if (d.readUnsignedByte() != 0xFF) return -1;
				int m = d.readUnsignedByte();
				while (m == 0xFF) m = d.readUnsignedByte();
				if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) continue; // markers without a length
				if (m == 0xD9 || m == 0xDA) return -1; // end of image, or scan data before any frame
				int len = d.readUnsignedShort();
				if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
					d.skipNBytes(5); // precision, height, width
					return d.readUnsignedByte();
				}
				if (len < 2) return -1;
				d.skipNBytes(len - 2);
			}
		}
		catch (EOFException e) {
			return -1;
		}
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
