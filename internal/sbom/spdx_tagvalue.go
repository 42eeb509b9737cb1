package sbom

import (
	"bytes"
	"errors"
	"sort"
	"strings"

	"github.com/spdx/tools-golang/convert"
	"github.com/spdx/tools-golang/spdx/v2/v2_1"
	tv21 "github.com/spdx/tools-golang/spdx/v2/v2_1/tagvalue/reader"
	"github.com/spdx/tools-golang/spdx/v2/v2_2"
	tv22 "github.com/spdx/tools-golang/spdx/v2/v2_2/tagvalue/reader"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
	tv23 "github.com/spdx/tools-golang/spdx/v2/v2_3/tagvalue/reader"
	"github.com/spdx/tools-golang/tagvalue/reader"

	"github.com/vulndesk/vulndesk/internal/model"
)

// parseSPDXTagValue parses an SPDX 2 tag-value document with the
// version-specific parsers of tools-golang and converts it to the v2_3
// model. The tag-value pairs are read here rather than with tools-golang's
// reader.ReadTagValues, which builds multi-line <text> values by repeated
// string concatenation (quadratic time) and does not say on which line a
// pair is.
func parseSPDXTagValue(name string, data []byte) (model.SBOM, error) {
	pairs, lines, err := readTagValues(name, data)
	if err != nil {
		return model.SBOM{}, err
	}
	pairs, lines = reorderTagValues(pairs, lines)
	version := ""
	for _, p := range pairs {
		if p.Tag == "SPDXVersion" {
			version = p.Value
			break
		}
	}
	number, ok := spdxVersions[version]
	if !ok {
		return model.SBOM{}, newError(ErrInvalid, name,
			"unsupported SPDXVersion %q (supported: SPDX-2.1, SPDX-2.2, SPDX-2.3)", version)
	}
	if n := countTag(pairs, "PackageName"); n > maxComponents {
		return model.SBOM{}, newError(ErrTooLarge, name, "more than %d packages", maxComponents)
	}
	parse := tagValueParsers[version]
	parsed, err := parse(pairs)
	if err != nil {
		// The parsers stop at the first pair they cannot take: find it
		// by parsing ever shorter prefixes until the error changes.
		i := sort.Search(len(pairs), func(n int) bool {
			_, e := parse(pairs[:n+1])
			return e != nil && e.Error() == err.Error()
		})
		e := newError(ErrInvalid, name, "invalid SPDX tag-value: %v", err)
		e.cause = err
		if i < len(pairs) {
			e.line = lines[i]
		}
		return model.SBOM{}, e
	}
	var doc v2_3.Document
	if err := convert.Document(parsed, &doc); err != nil {
		e := newError(ErrInvalid, name, "cannot convert SPDX %s to SPDX 2.3: %v", number, err)
		e.cause = err
		return model.SBOM{}, e
	}
	return spdxToModel(name, "SPDX "+number+" tag-value", &doc), nil
}

// tagValueParsers are tools-golang's tag-value parsers by SPDX version;
// they return a *v2_x.Document, or an error.
var tagValueParsers = map[string]func([]reader.TagValuePair) (any, error){
	v2_1.Version: func(p []reader.TagValuePair) (any, error) { return nonNil(tv21.ParseTagValues(p)) },
	v2_2.Version: func(p []reader.TagValuePair) (any, error) { return nonNil(tv22.ParseTagValues(p)) },
	v2_3.Version: func(p []reader.TagValuePair) (any, error) { return nonNil(tv23.ParseTagValues(p)) },
}

// nonNil turns a nil document without an error into an error.
func nonNil[D any](doc *D, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, errors.New("no SPDX document")
	}
	return doc, nil
}

// readTagValues splits a tag-value document into its pairs, with the line
// each starts on, the way tools-golang's reader does: "Tag: value" lines,
// blank and '#' lines skipped, values in <text>...</text> possibly
// spanning lines (and then not trimmed).
func readTagValues(name string, data []byte) ([]reader.TagValuePair, []int, error) {
	var pairs []reader.TagValuePair
	var lines []int
	var text strings.Builder // a <text> value spanning lines, so far
	tag, textLine := "", 0
	for n, rest := 1, data; len(rest) > 0; n++ {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if textLine > 0 { // inside a multi-line <text> value
			before, _, closed := bytes.Cut(line, []byte("</text>"))
			text.Write(before)
			if !closed {
				text.WriteByte('\n')
				continue
			}
			pairs = append(pairs, reader.TagValuePair{Tag: tag, Value: text.String()})
			lines = append(lines, textLine)
			text.Reset()
			textLine = 0
			continue
		}
		trimmed := bytes.TrimLeft(line, " \t\v\f\r")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		t, value, ok := bytes.Cut(trimmed, []byte{':'})
		if !ok {
			e := newError(ErrInvalid, name, "invalid SPDX tag-value: no colon in %q", truncate(line, 80))
			e.line = n
			return nil, nil, e
		}
		tag = string(bytes.TrimSpace(t))
		if _, after, isText := bytes.Cut(value, []byte("<text>")); isText {
			inner, _, closed := bytes.Cut(after, []byte("</text>"))
			if !closed {
				text.Write(after)
				text.WriteByte('\n')
				textLine = n
				continue
			}
			value = inner
		} else {
			value = bytes.TrimSpace(value)
		}
		pairs = append(pairs, reader.TagValuePair{Tag: tag, Value: string(value)})
		lines = append(lines, n)
	}
	if textLine > 0 {
		e := newError(ErrInvalid, name, "invalid SPDX tag-value: <text> of %s never closed by </text>", tag)
		e.line = textLine
		return nil, nil, e
	}
	return pairs, lines, nil
}

// reorderTagValues works around two limits of tools-golang's tag-value
// parsers that make them reject valid documents, the specification's own
// SPDX 2.3 example among them:
//   - a snippet must follow a file: "received unknown tag SnippetSPDXID in
//     Package section". Snippets are dropped: they say nothing about
//     packages.
//   - ExternalDocumentRef must come before the creation info
//     (spdx/tools-golang#195): those pairs are moved to the front.
func reorderTagValues(pairs []reader.TagValuePair, lines []int) ([]reader.TagValuePair, []int) {
	outPairs := make([]reader.TagValuePair, 0, len(pairs))
	outLines := make([]int, 0, len(lines))
	for i, p := range pairs {
		if p.Tag == "ExternalDocumentRef" {
			outPairs, outLines = append(outPairs, p), append(outLines, lines[i])
		}
	}
	for i, p := range pairs {
		if p.Tag == "ExternalDocumentRef" || strings.HasPrefix(p.Tag, "Snippet") || p.Tag == "LicenseInfoInSnippet" {
			continue
		}
		outPairs, outLines = append(outPairs, p), append(outLines, lines[i])
	}
	return outPairs, outLines
}

// countTag counts the pairs with the given tag.
func countTag(pairs []reader.TagValuePair, tag string) int {
	n := 0
	for _, p := range pairs {
		if p.Tag == tag {
			n++
		}
	}
	return n
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s []byte, n int) string {
	if len(s) <= n {
		return string(s)
	}
	return string(s[:n]) + "..."
}
