package sc.fiji.stylecrafter.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Style images of every kind a user may have: converted as PIL's convert("RGB") would, or refused with a reason. */
class RgbImageTest {

	@TempDir
	Path tmp;

	private Path png(BufferedImage img, String name) throws IOException {
		Path p = tmp.resolve(name);
		ImageIO.write(img, "png", p.toFile());
		return p;
	}

	@Test
	void grayIsReplicated() throws IOException {
		BufferedImage g = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
		g.getRaster().setSample(1, 1, 0, 200);
		RgbImage r = RgbImage.read(png(g, "gray.png"));
		assertEquals(200, r.get(1, 1, 0));
		assertEquals(200, r.get(1, 1, 2));
	}

	@Test
	void sixteenBitIsReducedToEightBit() throws IOException {
		BufferedImage g = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
		g.getRaster().setSample(0, 0, 0, 65535);
		g.getRaster().setSample(1, 0, 0, 0);
		RgbImage r = RgbImage.read(png(g, "gray16.png"));
		assertEquals(255, r.get(0, 0, 1));
		assertEquals(0, r.get(1, 0, 1));
	}

	@Test
	void alphaIsDropped() throws IOException {
		BufferedImage a = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
		a.setRGB(0, 0, 0x00FF8040); // fully transparent orange keeps its colour, as PIL's convert("RGB")
		RgbImage r = RgbImage.read(png(a, "alpha.png"));
		assertEquals(0xFF, r.get(0, 0, 0));
		assertEquals(0x80, r.get(0, 0, 1));
		assertEquals(0x40, r.get(0, 0, 2));
	}

	@Test
	void onePixelImageIsUpscaledTo512() {
		RgbImage one = new RgbImage(1, 1, new byte[] { 10, 20, 30 });
		RgbImage crop = StylePreprocessor.resizeAndCrop(one, 512);
		assertEquals(512, crop.width());
		assertEquals(20, crop.get(300, 100, 1));
		float[] clip = StylePreprocessor.clipInput(StylePreprocessor.toModelRange(crop), 512, 512, 224);
		assertEquals(3 * 224 * 224, clip.length);
	}

	@Test
	void emptyHugeAndUnreadableAreRefused() throws IOException {
		assertTrue(assertThrows(IllegalArgumentException.class, () -> new RgbImage(20000, 1, new byte[60000])).getMessage().contains("at most 16384"));
		assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 5, new byte[0]));
		assertThrows(NoSuchFileException.class, () -> RgbImage.read(tmp.resolve("missing.png")));
		Path txt = Files.writeString(tmp.resolve("notes.png"), "not an image");
		assertTrue(assertThrows(IOException.class, () -> RgbImage.read(txt)).getMessage().contains("not an image"));
	}

	/** A PNG of only a header: {@code w x h} pixels declared, no pixel data. */
	private Path pngHeaderOnly(int w, int h) throws IOException {
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		out.writeBytes(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' });
		java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17).put("IHDR".getBytes()).putInt(w).putInt(h).put(new byte[] { 8, 2, 0, 0, 0 });
		java.util.zip.CRC32 crc = new java.util.zip.CRC32();
		crc.update(ihdr.array());
		out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(13).array());
		out.writeBytes(ihdr.array());
		out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
		return Files.write(tmp.resolve("huge.png"), out.toByteArray());
	}

	@Test
	void aHugeImageIsRefusedFromItsHeaderBeforeDecoding() throws IOException {
		Path huge = pngHeaderOnly(30000, 30000);
		long t0 = System.nanoTime();
		IOException e = assertThrows(IOException.class, () -> RgbImage.read(huge));
		assertTrue(e.getMessage().contains("30000x30000 pixels"), e.getMessage());
		assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
		Path truncated = pngHeaderOnly(64, 64); // the header says 64x64 but there is no data
		IOException t = assertThrows(IOException.class, () -> RgbImage.read(truncated));
		assertTrue(t.getMessage().contains("cannot be decoded"), t.getMessage());
	}

	@Test
	void aCmykJpegIsRefusedWithWhatToDo() throws IOException {
		java.awt.image.WritableRaster cmyk = java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
		Path f = tmp.resolve("cmyk.jpg");
		javax.imageio.ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
		try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
			w.setOutput(out);
			w.write(new javax.imageio.IIOImage(cmyk, null, null));
		}
		finally {
			w.dispose();
		}
		assertEquals(4, RgbImage.jpegComponents(f));
		IOException e = assertThrows(IOException.class, () -> RgbImage.read(f));
		assertTrue(e.getMessage().contains("CMYK JPEG") && e.getMessage().contains("Image > Type > RGB Color"), e.getMessage());
		BufferedImage rgb = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
		Path ok = tmp.resolve("rgb.jpg");
		ImageIO.write(rgb, "jpeg", ok.toFile());
		assertEquals(3, RgbImage.jpegComponents(ok));
		assertEquals(8, RgbImage.read(ok).width());
	}
}
