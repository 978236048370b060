package sc.fiji.stylecrafter.site;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * An update site's index, {@code db.xml.gz}, in the ImageJ updater's format: a {@code pluginRecords} element with one
 * {@code plugin} per file, holding its platforms, its current {@code version} (checksum, timestamp, size, description,
 * dependencies, authors) and its {@code previous-version}s. A file with previous versions but no current one is
 * obsolete: the updater offers to remove it.
 */
public final class SiteDb {

	/** The current version of a file. */
	public record Version(String checksum, long timestamp, long filesize) {}

	/** An earlier version (its checksum lets the updater recognise an installed old file as updatable). */
	public record Previous(String checksum, long timestamp, long timestampObsolete, String filename) {}

	/** One file of the site. */
	public record Record(String filename, List<String> platforms, String description, List<String> dependencies, List<String> authors,
		Version current, List<Previous> previous)
	{
		public Record {
			platforms = List.copyOf(platforms);
			dependencies = List.copyOf(dependencies);
			authors = List.copyOf(authors);
			previous = List.copyOf(previous);
		}

		/** The name the updater matches files by (see {@link SiteDb#key(String)}). */
		public String key() {
			return SiteDb.key(filename);
		}
	}

	/** The name the updater matches a file by: its path without the version (scijava-common's rule, as the updater). */
	public static String key(String filename) {
		return org.scijava.util.FileUtils.stripFilenameVersion(filename);
	}

	/** The file name of the index on a site. */
	public static final String FILE_NAME = "db.xml.gz";

	/** The document type of the updater's index (its element and attribute declarations). */
	static final String DOCTYPE = "<!DOCTYPE pluginRecords [\n"
		+ "<!ELEMENT pluginRecords ((update-site | disabled-update-site)*, plugin*)>\n"
		+ "<!ELEMENT update-site EMPTY>\n<!ELEMENT disabled-update-site EMPTY>\n"
		+ "<!ELEMENT plugin (platform*, category*, version?, previous-version*)>\n"
		+ "<!ELEMENT version (description?, dependency*, link*, author*)>\n<!ELEMENT previous-version EMPTY>\n"
		+ "<!ELEMENT description (#PCDATA)>\n<!ELEMENT dependency EMPTY>\n<!ELEMENT link (#PCDATA)>\n<!ELEMENT author (#PCDATA)>\n"
		+ "<!ELEMENT platform (#PCDATA)>\n<!ELEMENT category (#PCDATA)>\n"
		+ "<!ATTLIST update-site name CDATA #REQUIRED url CDATA #REQUIRED keep-url CDATA #IMPLIED official CDATA #IMPLIED "
		+ "ssh-host CDATA #IMPLIED upload-directory CDATA #IMPLIED description CDATA #IMPLIED maintainer CDATA #IMPLIED timestamp CDATA #REQUIRED>\n"
		+ "<!ATTLIST disabled-update-site name CDATA #REQUIRED url CDATA #REQUIRED keep-url CDATA #IMPLIED official CDATA #IMPLIED "
		+ "ssh-host CDATA #IMPLIED upload-directory CDATA #IMPLIED description CDATA #IMPLIED maintainer CDATA #IMPLIED timestamp CDATA #REQUIRED>\n"
		+ "<!ATTLIST plugin update-site CDATA #IMPLIED filename CDATA #REQUIRED executable CDATA #IMPLIED>\n"
		+ "<!ATTLIST dependency filename CDATA #REQUIRED timestamp CDATA #IMPLIED overrides CDATA #IMPLIED>\n"
		+ "<!ATTLIST version timestamp CDATA #REQUIRED checksum CDATA #REQUIRED filesize CDATA #REQUIRED>\n"
		+ "<!ATTLIST previous-version filename CDATA #IMPLIED timestamp CDATA #REQUIRED timestamp-obsolete CDATA #IMPLIED checksum CDATA #REQUIRED>]>\n";

	private SiteDb() {}

	/** Writes the index, gzipped. */
	public static void write(Path gz, List<Record> records) throws IOException {
		try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz)); Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
			w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
			w.write(DOCTYPE);
			w.flush();
			XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(w);
			x.writeStartElement("pluginRecords");
			for (Record r : records) {
				x.writeCharacters("\n");
				x.writeStartElement("plugin");
				x.writeAttribute("filename", r.filename());
				for (String p : r.platforms()) simple(x, "platform", p);
				if (r.current() != null) {
					x.writeStartElement("version");
					x.writeAttribute("checksum", r.current().checksum());
					x.writeAttribute("timestamp", Long.toString(r.current().timestamp()));
					x.writeAttribute("filesize", Long.toString(r.current().filesize()));
					if (r.description() != null) simple(x, "description", r.description());
					for (String d : r.dependencies()) {
						x.writeEmptyElement("dependency");
						x.writeAttribute("filename", d);
					}
					for (String a : r.authors()) simple(x, "author", a);
					x.writeEndElement();
				}
				for (Previous p : r.previous()) {
					x.writeEmptyElement("previous-version");
					x.writeAttribute("timestamp", Long.toString(p.timestamp()));
					x.writeAttribute("timestamp-obsolete", Long.toString(p.timestampObsolete()));
					x.writeAttribute("checksum", p.checksum());
					if (p.filename() != null) x.writeAttribute("filename", p.filename());
				}
				x.writeEndElement();
			}
			x.writeCharacters("\n");
			x.writeEndElement();
			x.writeEndDocument();
			x.close();
			w.write("\n");
		}
		catch (XMLStreamException e) {
			throw new IOException("cannot write " + gz + ": " + e.getMessage(), e);
		}
	}

	private static void simple(XMLStreamWriter x, String tag, String text) throws XMLStreamException {
		x.writeStartElement(tag);
		x.writeCharacters(text);
		x.writeEndElement();
	}

	/** Reads an index written by {@link #write} or by the ImageJ updater (its update-site list, if any, is ignored). */
	public static List<Record> read(Path gz) throws IOException {
		try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
			return read(in, false);
		}
	}

	/**
	 * Reads an index; with {@code validate}, against its document type as a validating parser would (every error is
	 * an exception).
	 */
	public static List<Record> read(InputStream in, boolean validate) throws IOException {
		List<Record> out = new ArrayList<>();
		DefaultHandler h = new DefaultHandler() {
			private String filename, description, text;
			private List<String> platforms, dependencies, authors;
			private Version current;
			private List<Previous> previous;

			@Override
			public void startElement(String uri, String local, String q, Attributes a) {
				text = "";
				switch (q) {
					case "plugin":
						filename = a.getValue("filename");
						description = null;
						platforms = new ArrayList<>();
						dependencies = new ArrayList<>();
						authors = new ArrayList<>();
						current = null;
						previous = new ArrayList<>();
						break;
					case "version":
						current = new Version(a.getValue("checksum"), Long.parseLong(a.getValue("timestamp")), Long.parseLong(a.getValue("filesize")));
						break;
					case "dependency": dependencies.add(a.getValue("filename")); break;
					case "previous-version":
						String obsolete = a.getValue("timestamp-obsolete");
						previous.add(new Previous(a.getValue("checksum"), Long.parseLong(a.getValue("timestamp")),
							obsolete == null ? 0 : Long.parseLong(obsolete), a.getValue("filename")));
						break;
					default: break;
				}
			}

			@Override
			public void characters(char[] ch, int start, int length) {
				text += new String(ch, start, length);
			}

			@Override
			public void endElement(String uri, String local, String q) {
				switch (q) {
					case "platform": platforms.add(text); break;
					case "author": authors.add(text); break;
					case "description": description = text; break;
					case "plugin": out.add(new Record(filename, platforms, description, dependencies, authors, current, previous)); break;
					default: break;
				}
			}

			@Override
			public void error(org.xml.sax.SAXParseException e) throws SAXException {
				throw e;
			}
		};
		try {
			SAXParserFactory f = SAXParserFactory.newInstance();
			f.setValidating(validate);
			f.newSAXParser().parse(in, h);
			return out;
		}
		catch (SAXException | ParserConfigurationException | NumberFormatException e) {
			throw new IOException("not a valid update site index: " + e.getMessage(), e);
		}
	}
}
